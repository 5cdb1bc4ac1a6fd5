"""The flows list: name, status, last change of every flow in the project."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.model.resources import FlowRead, FlowStatus

_COLUMNS = ("Name", "Status", "Steps", "Last change")


class FlowsPanel(QWidget):
    """Shows the project's flows; the window fills it and reacts to its refresh request."""

    #: The person asked to load the list again.
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Flows")
        self.title.setObjectName("panelTitle")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(_COLUMNS)):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel("No flows yet. Create one, or import a flow file.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.show_flows([])

    def show_flows(self, flows: list[FlowRead]) -> None:
        """Replaces the rows with these flows."""
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
