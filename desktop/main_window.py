"""The main window: connects to the server and shows the flows list, with a status line."""

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStatusBar,
    QTabWidget,
    QWidget,
)

from desktop.client import ApiClient, ApiError, LocalServerError, connect_local_server
from desktop.flows_controller import FlowsController
from desktop.panels.flows_panel import FlowsPanel
from desktop.workspace import Workspace

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Piecework's main window."""

    def __init__(self, *, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.client: ApiClient | None = None
        #: The last "could not start" dialog (kept so it is not garbage-collected while open).
        self.error_dialog: QMessageBox | None = None
        self.project_id: str | None = None
        self._pending: set[asyncio.Future[Any]] = set()
        self.setWindowTitle("Piecework")
        self.resize(1280, 800)
        self.flows_panel = FlowsPanel()
        self.flows = FlowsController(
            client=lambda: self.client,
            project_id=lambda: self.project_id,
            refresh=self.refresh,
            report=lambda message: self.statusBar().showMessage(message, 8000),
        )
        tabs = QTabWidget()
        self.tabs = tabs
        self.workspace = Workspace(
            tabs=tabs,
            client=lambda: self.client,
            project_id=lambda: self.project_id,
            report=lambda message: self.statusBar().showMessage(message, 8000),
            spawn=self._later,
        )
        self._connect_flow_actions()
        tabs.addTab(self.flows_panel, "Flows")
        tabs.addTab(self.workspace.runs_panel, "Runs")
        tabs.addTab(self.workspace.connections_panel, "Connections")
        for index in range(3):
            tabs.tabBar().setTabButton(index, tabs.tabBar().ButtonPosition.RightSide, None)
        self.setCentralWidget(tabs)
        self.connection_label = QLabel("Not connected")
        status = QStatusBar()
        status.addPermanentWidget(self.connection_label)
        self.setStatusBar(status)

    async def start(self, *, start_server: bool = True) -> bool:
        """Connects to this computer's server (starting it if needed) and loads the flows."""
        try:
            self.client = await connect_local_server(
                self.data_dir, start=start_server, progress=self.statusBar().showMessage
            )
        except LocalServerError as err:
            self._show_error(str(err).splitlines()[0])
            if start_server:
                self._show_dialog("Piecework could not start", str(err))
            return False
        self.connection_label.setText(f"This computer · {self.client.base_url}")
        loaded = await self.refresh()
        # The pieces load after the flows list is shown, and after the first request: the
        # server creates the local owner on first use, where concurrent first requests race.
        # start() waits for them so that no request outlives it (tests drive the loop per call).
        await self.workspace.pieces_ready()
        return loaded

    async def refresh(self) -> bool:
        """Loads the flows of the first project again."""
        if self.client is None:
            return False
        self.statusBar().showMessage("Loading flows…")
        try:
            if self.project_id is None:
                projects = await self.client.projects()
                if not projects:
                    self._show_error("This account has no project yet")
                    return False
                self.project_id = projects[0].id
            flows = await self.client.flows(self.project_id)
        except ApiError as err:
            self._show_error(err.message)
            return False
        self.flows_panel.show_flows(flows)
        self.workspace.runs_panel.set_flows(flows)
        self.statusBar().showMessage(f"{len(flows)} flow{'s' if len(flows) != 1 else ''}", 5000)
        return True

    async def close_client(self) -> None:
        """Closes the server connection (the local server keeps running)."""
        if self.client is not None:
            await self.client.close()
            self.client = None

    def _connect_flow_actions(self) -> None:
        panel, flows = self.flows_panel, self.flows
        panel.refresh_requested.connect(lambda: self._later(self.refresh()))
        panel.create_requested.connect(lambda name: self._later(flows.create(name)))
        panel.import_requested.connect(lambda path: self._later(flows.import_file(Path(path))))
        panel.rename_requested.connect(
            lambda flow_id, name: self._later(flows.rename(flow_id, name))
        )
        panel.duplicate_requested.connect(lambda flow_id: self._later(flows.duplicate(flow_id)))
        panel.status_requested.connect(
            lambda flow_id, on: self._later(flows.set_enabled(flow_id, on))
        )
        panel.export_requested.connect(
            lambda flow_id, path: self._later(flows.export(flow_id, Path(path)))
        )
        panel.delete_requested.connect(lambda flow_id: self._later(flows.delete(flow_id)))
        panel.open_requested.connect(lambda flow_id: self._later(self.workspace.open_flow(flow_id)))
        self.tabs.currentChanged.connect(self._tab_shown)

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.workspace.runs_panel:
            self.workspace.runs_panel.refresh()
        elif widget is self.workspace.connections_panel:
            self._later(self.workspace.refresh_connections())

    def _later(self, work: Coroutine[Any, Any, Any]) -> None:
        # Keep a reference: the loop holds tasks only weakly.
        task = asyncio.ensure_future(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _show_dialog(self, title: str, message: str) -> None:
        # Window-modal and non-blocking (open, not exec): the event loop keeps running.
        box = QMessageBox(
            QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, self
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.open()
        self.error_dialog = box

    def _show_error(self, message: str) -> None:
        log.warning("%s", message)
        self.connection_label.setText("Not connected")
        self.statusBar().showMessage(message)
