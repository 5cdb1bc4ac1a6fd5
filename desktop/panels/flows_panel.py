"""The flows list: folders, search, and every flow's name, status, last run, steps and last change."""

from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.folder_list import ALL_FLOWS, NO_FOLDER, FolderList
from engine.model.resources import FlowRead, FlowStatus, FolderRead

_COLUMNS = ("Name", "Status", "Last run", "Steps", "Last change")
_STATUS_COLUMN = 1
_JSON_FILES = "Flow files (*.json);;All files (*)"
#: How a run status reads in the "Last run" column.
_RUN_TEXT = {
    "SUCCEEDED": "✓ Succeeded",
    "FAILED": "✗ Failed",
    "TIMEOUT": "✗ Timed out",
    "INTERNAL_ERROR": "✗ Internal error",
    "MEMORY_LIMIT_EXCEEDED": "✗ Out of memory",
    "LOG_SIZE_EXCEEDED": "✗ Log too large",
    "RUNNING": "… Running",
    "QUEUED": "… Queued",
    "PAUSED": "‖ Paused",
    "STOPPED": "■ Stopped",
    "CANCELED": "■ Canceled",
}


class FlowsPanel(QWidget):
    """Shows the project's flows and emits what the person asked for; the window carries it out."""

    #: The person asked to load the list again.
    refresh_requested = Signal()
    #: Create an empty flow with this name (in the folder shown, if any).
    create_requested = Signal(str)
    #: Import the flow file at this path (Piecework or Activepieces JSON).
    import_requested = Signal(str)
    #: Rename flow (id) to name.
    rename_requested = Signal(str, str)
    #: Copy the flow (id).
    duplicate_requested = Signal(str)
    #: Turn the flow (id) on (True) or off.
    status_requested = Signal(str, bool)
    #: Save the flow (id) to the file at path.
    export_requested = Signal(str, str)
    #: Delete the flow (id); the person confirmed.
    delete_requested = Signal(str)
    #: Open the flow (id) in the builder.
    open_requested = Signal(str)
    #: Create a folder with this name.
    create_folder_requested = Signal(str)
    #: Move the flow (id) into the folder (id, or "" for no folder).
    move_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._flows: dict[str, FlowRead] = {}
        self._order: list[str] = []
        self._last_runs: dict[str, str] = {}
        self.title = QLabel("Flows")
        self.title.setObjectName("panelTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search flows")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _: self._render())
        self.new_button = QPushButton("New flow")
        self.new_button.clicked.connect(self._ask_new_flow)
        self.new_folder_button = QPushButton("New folder")
        self.new_folder_button.clicked.connect(self._ask_new_folder)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self._ask_import)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.folder_list = FolderList()
        self.folder_list.folder_chosen.connect(lambda _: self._render())
        self.table = self._make_table()
        self.empty = QLabel("No flows yet. Create one, import a flow file, or drop one here.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._lay_out()
        self.setAcceptDrops(True)
        self.show_flows([])

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.search, 1)
        for button in (
            self.new_button,
            self.new_folder_button,
            self.import_button,
            self.refresh_button,
        ):
            header.addWidget(button)
        flows = QVBoxLayout()
        flows.addWidget(self.table, 1)
        flows.addWidget(self.empty, 1)
        body = QHBoxLayout()
        body.addWidget(self.folder_list)
        body.addLayout(flows, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(body, 1)

    def show_flows(self, flows: list[FlowRead]) -> None:
        """Replaces the flows (the rows show those of the chosen folder that match the search)."""
        self._flows = {flow.id: flow for flow in flows}
        self._order = [flow.id for flow in flows]
        self._render()

    def show_folders(self, folders: list[FolderRead]) -> None:
        """Replaces the folders beside the list."""
        outside = sum(1 for flow in self._flows.values() if flow.folder_id is None)
        self.folder_list.show_folders(folders, total=len(self._flows), outside=outside)

    def show_last_runs(self, statuses: dict[str, str]) -> None:
        """Sets the last run status of flows (flow id → run status); others show none."""
        self._last_runs = dict(statuses)
        self._render()

    def set_last_run(self, flow_id: str, status: str) -> None:
        """Updates one flow's last run status (a run just finished)."""
        self._last_runs[flow_id] = status
        self._render()

    def last_run_text(self, flow_id: str) -> str:
        """What the "Last run" column says for a flow."""
        status = self._last_runs.get(flow_id)
        return "" if status is None else _RUN_TEXT.get(status, status.title())

    def current_folder_id(self) -> str | None:
        """The folder shown, or None for all flows or those outside folders."""
        chosen = self.folder_list.chosen()
        return None if chosen in (ALL_FLOWS, NO_FOLDER) else chosen

    def shown(self) -> list[FlowRead]:
        """The flows of the chosen folder whose name contains the search text, in list order."""
        chosen = self.folder_list.chosen()
        needle = self.search.text().strip().casefold()
        flows = (self._flows[flow_id] for flow_id in self._order)
        return [
            flow
            for flow in flows
            if (
                chosen == ALL_FLOWS
                or (chosen == NO_FOLDER and flow.folder_id is None)
                or flow.folder_id == chosen
            )
            and needle in flow.version.display_name.casefold()
        ]

    def _render(self) -> None:
        flows = self.shown()
        self.table.blockSignals(True)
        self.table.setRowCount(len(flows))
        for row, flow in enumerate(flows):
            definition = flow.version.definition
            values = (
                definition.display_name,
                "On" if flow.status == FlowStatus.ENABLED else "Off",
                self.last_run_text(flow.id),
                str(len(definition.steps)),
                flow.updated.astimezone().strftime("%Y-%m-%d %H:%M"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, flow.id)
                self.table.setItem(row, column, item)
            self._make_toggle(flow, self.table.item(row, _STATUS_COLUMN))
        self.table.blockSignals(False)
        self.table.setVisible(bool(flows))
        self.empty.setVisible(not flows)
        if self._flows and not flows:
            self.empty.setText("No flow matches. Change the search or pick another folder.")
        else:
            self.empty.setText("No flows yet. Create one, import a flow file, or drop one here.")

    def _make_toggle(self, flow: FlowRead, item: QTableWidgetItem | None) -> None:
        if item is None:
            return
        enabled = flow.status == FlowStatus.ENABLED
        item.setCheckState(Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked)
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if enabled or flow.published_version_id is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        else:
            item.setToolTip("Publish the flow in the builder before turning it on")
        item.setFlags(flags)

    def flow_names(self) -> list[str]:
        """The names shown, top to bottom."""
        items = (self.table.item(row, 0) for row in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def flow_id_at(self, row: int) -> str | None:
        """The id of the flow shown in `row`."""
        item = self.table.item(row, 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def context_menu(self, flow_id: str) -> QMenu:
        """The actions on one flow (right-click on its row)."""
        flow = self._flows[flow_id]
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_requested.emit(flow_id))
        menu.addAction("Rename…", lambda: self._ask_rename(flow_id))
        menu.addAction("Duplicate", lambda: self.duplicate_requested.emit(flow_id))
        enabled = flow.status == FlowStatus.ENABLED
        toggle = menu.addAction(
            "Turn off" if enabled else "Turn on",
            lambda: self.status_requested.emit(flow_id, not enabled),
        )
        toggle.setEnabled(enabled or flow.published_version_id is not None)
        move = menu.addMenu("Move to folder")
        if flow.folder_id is not None:
            move.addAction("No folder", lambda: self.move_requested.emit(flow_id, ""))
        for folder in self.folder_list.folders.values():
            if folder.id != flow.folder_id:
                move.addAction(
                    folder.display_name, partial(self.move_requested.emit, flow_id, folder.id)
                )
        move.setEnabled(not move.isEmpty())
        menu.addAction("Export…", lambda: self._ask_export(flow_id))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self._ask_delete(flow_id))
        return menu

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accepts files dragged from the file manager."""
        if _local_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Imports each dropped file."""
        paths = _local_files(event.mimeData().urls())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.import_requested.emit(path)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, len(_COLUMNS))
        table.setHorizontalHeaderLabels(_COLUMNS)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        header_view = table.horizontalHeader()
        header_view.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(_COLUMNS)):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._open_menu)
        table.cellDoubleClicked.connect(self._open_row)
        table.itemChanged.connect(self._toggled)
        return table

    def _toggled(self, item: QTableWidgetItem) -> None:
        flow_id = str(item.data(Qt.ItemDataRole.UserRole))
        if item.column() != _STATUS_COLUMN or flow_id not in self._flows:
            return
        wanted = item.checkState() == Qt.CheckState.Checked
        if wanted != (self._flows[flow_id].status == FlowStatus.ENABLED):
            # The box shows the server's state again until the server confirms the change.
            self._render()
            self.status_requested.emit(flow_id, wanted)

    def _open_menu(self, position: QPoint) -> None:
        flow_id = self.flow_id_at(self.table.rowAt(position.y()))
        if flow_id in self._flows:
            self.context_menu(flow_id).exec(self.table.viewport().mapToGlobal(position))

    def _open_row(self, row: int, _column: int) -> None:
        flow_id = self.flow_id_at(row)
        if flow_id:
            self.open_requested.emit(flow_id)

    def _ask_new_flow(self) -> None:
        name, ok = QInputDialog.getText(self, "New flow", "Name of the flow:", text="Untitled flow")
        if ok and name.strip():
            self.create_requested.emit(name.strip())

    def _ask_new_folder(self) -> None:
        name, ok = QInputDialog.getText(self, "New folder", "Name of the folder:")
        if ok and name.strip():
            self.create_folder_requested.emit(name.strip())

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a flow", "", _JSON_FILES)
        if path:
            self.import_requested.emit(path)

    def _ask_rename(self, flow_id: str) -> None:
        current = self._flows[flow_id].version.display_name
        name, ok = QInputDialog.getText(self, "Rename flow", "New name:", text=current)
        if ok and name.strip() and name.strip() != current:
            self.rename_requested.emit(flow_id, name.strip())

    def _ask_export(self, flow_id: str) -> None:
        suggested = f"{self._flows[flow_id].version.display_name}.json"
        path, _ = QFileDialog.getSaveFileName(self, "Export flow", suggested, _JSON_FILES)
        if path:
            self.export_requested.emit(flow_id, path)

    def _ask_delete(self, flow_id: str) -> None:
        name = self._flows[flow_id].version.display_name
        answer = QMessageBox.question(
            self, "Delete flow", f"Delete “{name}” and all its runs? This cannot be undone."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(flow_id)


def _local_files(urls: list[QUrl]) -> list[str]:
    return [str(Path(url.toLocalFile())) for url in urls if url.isLocalFile()]
