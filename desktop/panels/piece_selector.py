"""The piece selector: core steps (Code, Loop, Router) first, then every piece's actions or triggers; search and categories."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.client.piece_catalog import CORE_CATEGORY, PieceCatalog
from desktop.document.step_factory import StepChoice

ALL_CATEGORIES = "All categories"

#: The core steps, always first (not pieces: they are step types of their own).
CORE_STEPS = (
    StepChoice(kind="CODE", display_name="Code"),
    StepChoice(kind="LOOP_ON_ITEMS", display_name="Loop on items"),
    StepChoice(kind="ROUTER", display_name="Router"),
)


class PieceSelector(QDialog):
    """Pick what to add; emits `chosen` with a StepChoice and closes."""

    #: The person picked a step or trigger (a StepChoice).
    chosen = Signal(object)

    def __init__(
        self, catalog: PieceCatalog, *, triggers: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.triggers = triggers
        self.setWindowTitle("Select a trigger" if triggers else "Add a step")
        self.resize(460, 560)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search pieces and actions…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        self.category = QComboBox()
        self.category.addItems([ALL_CATEGORIES, *catalog.categories()])
        self.category.currentTextChanged.connect(self._fill)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemDoubleClicked.connect(lambda item, _: self._choose(item))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(lambda: self._choose(self.tree.currentItem()))
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.category)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self._fill()
        self.search.setFocus()

    def choices(self) -> list[StepChoice]:
        """Every choice shown now, top to bottom."""
        found: list[StepChoice] = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            if top is None:
                continue
            items = [top] + [top.child(i) for i in range(top.childCount())]
            for item in items:
                data = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
                if isinstance(data, StepChoice):
                    found.append(data)
        return found

    def choose(self, display_name: str) -> StepChoice:
        """Picks the shown choice with this name (keyboard and tests)."""
        for choice in self.choices():
            if choice.display_name == display_name:
                self.chosen.emit(choice)
                self.accept()
                return choice
        raise KeyError(f"{display_name} not in {[c.display_name for c in self.choices()]}")

    def _fill(self) -> None:
        self.tree.clear()
        words = self.search.text().strip().lower()
        category = self.category.currentText()
        if not self.triggers and category in (ALL_CATEGORIES, CORE_CATEGORY):
            for core in CORE_STEPS:
                if words in core.display_name.lower():
                    self._add_item(self.tree, core, bold=True)
        pieces = sorted(
            self.catalog.metadata.values(),
            key=lambda p: (CORE_CATEGORY not in p.categories, p.display_name.lower()),
        )
        for piece in pieces:
            if category != ALL_CATEGORIES and category not in piece.categories:
                continue
            entries = piece.triggers if self.triggers else piece.actions
            piece_match = words in piece.display_name.lower() or words in piece.name
            shown = [
                entry
                for entry in entries.values()
                if piece_match or words in entry.display_name.lower()
            ]
            if not shown:
                continue
            parent = QTreeWidgetItem(self.tree, [piece.display_name])
            parent.setToolTip(0, piece.description)
            parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for entry in shown:
                choice = StepChoice(
                    kind="TRIGGER" if self.triggers else "PIECE",
                    display_name=f"{piece.display_name}: {entry.display_name}",
                    piece=piece,
                    key=entry.name,
                )
                self._add_item(parent, choice, label=entry.display_name, tip=entry.description)
            parent.setExpanded(bool(words) or len(self.catalog.metadata) <= 12)

    def _add_item(
        self,
        parent: QTreeWidget | QTreeWidgetItem,
        choice: StepChoice,
        *,
        label: str | None = None,
        tip: str = "",
        bold: bool = False,
    ) -> None:
        item = QTreeWidgetItem(parent, [label or choice.display_name])
        item.setData(0, Qt.ItemDataRole.UserRole, choice)
        item.setToolTip(0, tip)
        if bold:
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)

    def _choose(self, item: QTreeWidgetItem | None) -> None:
        data = None if item is None else item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(data, StepChoice):
            self.chosen.emit(data)
            self.accept()
