"""The main window: the tabs, the menu, the offline banner and the status line of one server
connection, and the flows list.

Its parts are one module each: `window_core` (shared state and helpers), `window_status`
(offline banner, live run events), `window_connection` (connecting, signing in) and
`window_dialogs` (dialogs, quitting).
"""

import asyncio
from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QStatusBar, QTabWidget, QVBoxLayout, QWidget

from desktop.client import AccountStore, ApiError, ServerUnavailableError, SessionExpiredError
from desktop.flows_controller import FlowsController
from desktop.panels.flows_panel import FlowsPanel
from desktop.preferences import PreferencesStore, default_config_dir
from desktop.session_keeper import SessionKeeper
from desktop.window_dialogs import WindowDialogs
from desktop.window_status import OFFLINE_STYLE
from desktop.workspace import Workspace


class MainWindow(WindowDialogs):
    """Piecework's main window, connected to this computer's server or to a team server."""

    def __init__(
        self,
        *,
        data_dir: Path,
        config_dir: Path | None = None,
        offer_samples: bool = False,
        watch_server: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.config_dir = config_dir or default_config_dir()
        self.preferences_store = PreferencesStore(self.config_dir)
        self.preferences = self.preferences_store.load()
        self.accounts = AccountStore(self.config_dir)
        self.session = SessionKeeper(accounts=self.accounts, on_expired=self._session_expired)
        self.offer_samples = offer_samples
        self.watch_server = watch_server
        self.client = None
        self.local = True
        self.project_id = None
        self.error_dialog = None
        self.dialog = None
        self.tray = None
        self.monitor = None
        self.live = None
        self.last_notification = None
        self._pending = set()
        self.setWindowTitle("Piecework")
        self.resize(1280, 800)
        self.flows_panel = FlowsPanel()
        self.flows = FlowsController(
            client=lambda: self.client,
            project_id=lambda: self.project_id,
            refresh=self.refresh,
            report=self.report,
            alert=self._show_dialog,
        )
        self.tabs = QTabWidget()
        self.workspace = Workspace(
            tabs=self.tabs,
            client=lambda: self.client,
            project_id=lambda: self.project_id,
            report=self.report,
            spawn=self._later,
        )
        self._connect_flow_actions()
        self._lay_out()
        self._make_menu()

    def _lay_out(self) -> None:
        tabs = self.tabs
        tabs.addTab(self.flows_panel, "Flows")
        tabs.addTab(self.workspace.runs_panel, "Runs")
        tabs.addTab(self.workspace.connections_panel, "Connections")
        for index in range(3):
            tabs.tabBar().setTabButton(index, tabs.tabBar().ButtonPosition.RightSide, None)
        self.offline_banner = QLabel()
        self.offline_banner.setStyleSheet(OFFLINE_STYLE)
        self.offline_banner.setWordWrap(True)
        self.offline_banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.offline_banner)
        layout.addWidget(tabs, 1)
        self.setCentralWidget(central)
        self.connection_label = QLabel("Not connected")
        status = QStatusBar()
        status.addPermanentWidget(self.connection_label)
        self.setStatusBar(status)

    def _make_menu(self) -> None:
        menu = self.menuBar().addMenu("&Piecework")
        menu.addAction("Connect to a server…", QKeySequence("Ctrl+Shift+O"), self.open_connect)
        menu.addAction("Settings…", QKeySequence.StandardKey.Preferences, self.open_settings)
        menu.addAction("About Piecework", self.open_about)
        menu.addSeparator()
        menu.addAction("Quit", QKeySequence.StandardKey.Quit, self.request_quit)

    async def refresh(self) -> bool:
        """Loads the flows, folders and last runs of the project again."""
        client = self.client
        if client is None:
            return False
        self.statusBar().showMessage("Loading flows…")
        try:
            if self.project_id is None:
                projects = await client.projects()
                if not projects:
                    self._show_error("This account has no project yet")
                    return False
                self.project_id = projects[0].id
            flows, folders, runs = await asyncio.gather(
                client.flows(self.project_id),
                client.folders(self.project_id),
                client.runs(self.project_id, limit=100),
            )
        except ServerUnavailableError as err:
            self._went_offline(err.message)
            return False
        except SessionExpiredError:
            return False  # the connect screen says so already
        except ApiError as err:
            self._show_error(err.message)
            return False
        last: dict[str, str] = {}
        for run in runs:  # newest first
            last.setdefault(run.flow_id, run.status.value)
        self.flows_panel.show_flows(flows)
        self.flows_panel.show_folders(folders)
        self.flows_panel.show_last_runs(last)
        self.workspace.runs_panel.set_flows(flows)
        self.statusBar().showMessage(f"{len(flows)} flow{'s' if len(flows) != 1 else ''}", 5000)
        return True

    def _connect_flow_actions(self) -> None:
        panel, flows = self.flows_panel, self.flows
        panel.refresh_requested.connect(lambda: self._later(self.refresh()))
        panel.create_requested.connect(
            lambda name: self._later(flows.create(name, folder_id=panel.current_folder_id()))
        )
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
        panel.create_folder_requested.connect(lambda name: self._later(flows.create_folder(name)))
        panel.move_requested.connect(
            lambda flow_id, folder: self._later(flows.move(flow_id, folder or None))
        )
        panel.folder_list.rename_requested.connect(
            lambda folder, name: self._later(flows.rename_folder(folder, name))
        )
        panel.folder_list.delete_requested.connect(
            lambda folder: self._later(flows.delete_folder(folder))
        )
        self.tabs.currentChanged.connect(self._tab_shown)

    def _tab_shown(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.workspace.runs_panel:
            self.workspace.runs_panel.refresh()
        elif widget is self.workspace.connections_panel:
            self._later(self.workspace.refresh_connections())
