"""Version history of a flow: the draft and its published versions; one can become the draft again."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.model.resources import FlowVersionRead


class VersionsPanel(QWidget):
    """Lists versions newest first; emits what the person asked for."""

    #: Load the versions again.
    refresh_requested = Signal()
    #: Copy this version (id) into the draft.
    use_as_draft_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.versions: list[FlowVersionRead] = []
        self.state = QLabel("Not published yet")
        self.state.setObjectName("publishState")
        self.state.setWordWrap(True)
        self.list = QListWidget()
        self.list.currentRowChanged.connect(lambda _: self._update_button())
        self.use_button = QPushButton("Use as draft")
        self.use_button.setToolTip("Replaces the draft with this version (Undo takes it back)")
        self.use_button.clicked.connect(self._use)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh_requested.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.use_button)
        layout.addWidget(refresh)
        self._update_button()

    def show_versions(self, versions: list[FlowVersionRead], published_id: str | None) -> None:
        """Replaces the list (the draft first, then published versions newest first)."""
        published = sorted(
            (v for v in versions if v.state == "LOCKED"), key=lambda v: v.created, reverse=True
        )
        versions = [*(v for v in versions if v.state == "DRAFT"), *published]
        self.versions = versions
        self.list.clear()
        for version in versions:
            when = version.updated.astimezone().strftime("%Y-%m-%d %H:%M")
            if version.state == "DRAFT":
                text = f"Draft · edited {when}"
            else:
                number = len(published) - published.index(version)
                live = " · live" if version.id == published_id else ""
                text = f"Version {number} · published {when}{live}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, version.id)
            self.list.addItem(item)
        if published_id is None:
            self.state.setText("Not published yet: triggers do not start this flow.")
        else:
            self.state.setText(
                f"Published ({len(published)} version{'s' if len(published) != 1 else ''}); "
                "edits go to the draft until you publish again."
            )
        self._update_button()

    def selected_version(self) -> FlowVersionRead | None:
        """The chosen version."""
        row = self.list.currentRow()
        return self.versions[row] if 0 <= row < len(self.versions) else None

    def _update_button(self) -> None:
        version = self.selected_version()
        self.use_button.setEnabled(version is not None and version.state == "LOCKED")

    def _use(self) -> None:
        version = self.selected_version()
        if version is not None and version.state == "LOCKED":
            self.use_as_draft_requested.emit(version.id)
