"""The flows list: name, status, steps and last change of every flow, with the actions on them."""

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.model.resources import FlowRead, FlowStatus

_COLUMNS = ("Name", "Status", "Steps", "Last change")
_JSON_FILES = "Flow files (*.json);;All files (*)"


class FlowsPanel(QWidget):
    """Shows the project's flows and emits what the person asked for; the window carries it out."""

    #: The person asked to load the list again.
    refresh_requested = Signal()
    #: Create an empty flow with this name.
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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._flows: dict[str, FlowRead] = {}
        self.title = QLabel("Flows")
        self.title.setObjectName("panelTitle")
        self.new_button = QPushButton("New flow")
        self.new_button.clicked.connect(self._ask_new_flow)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self._ask_import)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.table = self._make_table()
        self.empty = QLabel("No flows yet. Create one, or import a flow file.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        for button in (self.new_button, self.import_button, self.refresh_button):
            header.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.show_flows([])

    def show_flows(self, flows: list[FlowRead]) -> None:
        """Replaces the rows with these flows."""
        self._flows = {flow.id: flow for flow in flows}
        self.table.setRowCount(len(flows))
        for row, flow in enumerate(flows):
            definition = flow.version.definition
            status = "On" if flow.status == FlowStatus.ENABLED else "Off"
            values = (
                definition.display_name,
                status,
                str(len(definition.steps)),
                flow.updated.astimezone().strftime("%Y-%m-%d %H:%M"),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, flow.id)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(flows))
        self.empty.setVisible(not flows)

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
        menu.addAction("Export…", lambda: self._ask_export(flow_id))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self._ask_delete(flow_id))
        return menu

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
        return table

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
