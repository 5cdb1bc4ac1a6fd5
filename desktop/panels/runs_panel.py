"""The runs list: newest first, filtered by flow, status and time; double-click opens the run view."""

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.model import RunStatus
from engine.model.resources import FlowRead, FlowRunRead

_COLUMNS = ("Flow", "Status", "Started", "Duration")
ANY = "Any"
#: The time filter's choices: label → hours back (0: any time).
TIMES = {"Any time": 0, "Last hour": 1, "Last 24 hours": 24, "Last 7 days": 24 * 7}


class RunsPanel(QWidget):
    """Shows runs; emits what the person asked for."""

    #: Load the runs again with the chosen filters: (flow id or "", status or "").
    refresh_requested = Signal(str, str)
    #: Open the run (id).
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow_filter = QComboBox()
        self.flow_filter.addItem("All flows", "")
        self.status_filter = QComboBox()
        self.status_filter.addItem("Any status", "")
        for status in RunStatus:
            self.status_filter.addItem(status.value.replace("_", " ").capitalize(), status.value)
        self.time_filter = QComboBox()
        for label, hours in TIMES.items():
            self.time_filter.addItem(label, hours)
        self.refresh_button = QPushButton("Refresh")
        for widget in (self.flow_filter, self.status_filter, self.time_filter):
            widget.activated.connect(lambda _: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _: self._open(row))
        self.empty = QLabel("No runs yet. Publish a flow and trigger it, or use Test flow.")
        top = QHBoxLayout()
        top.addWidget(QLabel("Runs"))
        top.addStretch(1)
        top.addWidget(self.flow_filter)
        top.addWidget(self.status_filter)
        top.addWidget(self.time_filter)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)

    def set_flows(self, flows: list[FlowRead]) -> None:
        """The flows the filter offers."""
        current = self.flow_filter.currentData()
        self.flow_filter.clear()
        self.flow_filter.addItem("All flows", "")
        for flow in flows:
            self.flow_filter.addItem(flow.version.display_name, flow.id)
        self.flow_filter.setCurrentIndex(max(0, self.flow_filter.findData(current)))
        self._names = {flow.id: flow.version.display_name for flow in flows}

    def show_runs(self, runs: list[FlowRunRead]) -> None:
        """Replaces the rows."""
        names = getattr(self, "_names", {})
        self.table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            started = run.start_time or run.created
            duration = "" if run.duration is None else f"{run.duration / 1000:.2f} s"
            values = (
                names.get(run.flow_id, run.flow_id),
                run.status.value,
                started.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                duration,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, run.id)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(runs))
        self.empty.setVisible(not runs)

    def run_id_at(self, row: int) -> str | None:
        """The id of the run in a row."""
        item = self.table.item(row, 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def created_after(self) -> datetime | None:
        """The time filter's start (None: any time)."""
        hours = int(self.time_filter.currentData() or 0)
        return datetime.now(UTC) - timedelta(hours=hours) if hours else None

    def refresh(self) -> None:
        """Asks for the runs again with the chosen filters."""
        self.refresh_requested.emit(
            self.flow_filter.currentData() or "", self.status_filter.currentData() or ""
        )

    def _open(self, row: int) -> None:
        run_id = self.run_id_at(row)
        if run_id:
            self.open_requested.emit(run_id)
