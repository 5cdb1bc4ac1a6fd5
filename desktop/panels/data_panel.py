"""Data to insert: earlier steps' outputs from the last test run; clicking a node inserts `{{step.path}}`."""

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.panels.json_tree import PATH_ROLE, JsonTree


class DataPanel(QWidget):
    """The tree of sample outputs by step."""

    #: Insert this text (`{{step.path}}`) into the focused field.
    insert_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel("Test the flow first: its steps' outputs show here to insert.")
        self.hint.setWordWrap(True)
        self.tree = JsonTree()
        self.tree.clicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Click a value to insert it into the field you last edited."))
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)

    def show_outputs(self, outputs: dict[str, Any]) -> None:
        """Step name → sample output, in flow order (steps before the selected one)."""
        self.tree.show_values(outputs)
        self.hint.setVisible(not outputs)

    def reference_at(self, index: QModelIndex) -> str | None:
        """The `{{...}}` of a tree node."""
        path = index.data(PATH_ROLE)
        return f"{{{{{path}}}}}" if isinstance(path, str) else None

    def _clicked(self, index: QModelIndex) -> None:
        reference = self.reference_at(index)
        if reference:
            self.insert_requested.emit(reference)
