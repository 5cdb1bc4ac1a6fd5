"""The folders beside the flows list: all flows, flows in no folder, then each folder with its count."""

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QWidget,
)

from engine.model.resources import FolderRead

#: The entry that shows every flow (its id is this, not a folder id).
ALL_FLOWS = ""
#: The entry that shows the flows outside any folder.
NO_FOLDER = "-"


class FolderList(QListWidget):
    """Picks which flows the list shows; emits the folder actions the person asked for."""

    #: The shown folder changed: ALL_FLOWS, NO_FOLDER or a folder id.
    folder_chosen = Signal(str)
    #: Rename folder (id) to name.
    rename_requested = Signal(str, str)
    #: Delete folder (id); the person confirmed.
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folders: dict[str, FolderRead] = {}
        self.setMaximumWidth(220)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._open_menu)
        self.currentItemChanged.connect(self._chosen)
        self.show_folders([], total=0, outside=0)

    def show_folders(self, folders: list[FolderRead], *, total: int, outside: int) -> None:
        """Replaces the entries, keeping the chosen one when it still exists."""
        chosen = self.chosen()
        self.folders = {folder.id: folder for folder in folders}
        self.blockSignals(True)
        self.clear()
        self._add(f"All flows ({total})", ALL_FLOWS)
        self._add(f"No folder ({outside})", NO_FOLDER)
        for folder in folders:
            self._add(f"{folder.display_name} ({folder.number_of_flows})", folder.id)
        keep = chosen if chosen in (ALL_FLOWS, NO_FOLDER) or chosen in self.folders else ALL_FLOWS
        self.choose(keep)
        self.blockSignals(False)
        if keep != chosen:
            self.folder_chosen.emit(keep)

    def chosen(self) -> str:
        """ALL_FLOWS, NO_FOLDER or the id of the folder shown."""
        item = self.currentItem()
        return ALL_FLOWS if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, folder_id: str) -> None:
        """Selects an entry (as a click would)."""
        for row in range(self.count()):
            item = self.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == folder_id:
                self.setCurrentRow(row)
                return

    def menu_for(self, folder_id: str) -> QMenu:
        """Rename and delete of one folder (right-click)."""
        menu = QMenu(self)
        menu.addAction("Rename folder…", lambda: self._ask_rename(folder_id))
        menu.addAction("Delete folder…", lambda: self._ask_delete(folder_id))
        return menu

    def _add(self, text: str, folder_id: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, folder_id)
        self.addItem(item)

    def _chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.folder_chosen.emit(str(current.data(Qt.ItemDataRole.UserRole)))

    def _open_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        folder_id = None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
        if folder_id in self.folders:
            self.menu_for(folder_id).exec(self.viewport().mapToGlobal(position))

    def _ask_rename(self, folder_id: str) -> None:
        current = self.folders[folder_id].display_name
        name, ok = QInputDialog.getText(self, "Rename folder", "New name:", text=current)
        if ok and name.strip() and name.strip() != current:
            self.rename_requested.emit(folder_id, name.strip())

    def _ask_delete(self, folder_id: str) -> None:
        name = self.folders[folder_id].display_name
        answer = QMessageBox.question(
            self,
            "Delete folder",
            f"Delete the folder “{name}”? Its flows stay, outside any folder.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(folder_id)
