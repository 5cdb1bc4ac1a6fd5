"""The main window: the tabs, the menu, the offline banner and the status line of one server connection."""

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStatusBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.client import (
    AccountStore,
    ApiClient,
    ApiError,
    ConnectionMonitor,
    LocalServerError,
    ServerUnavailableError,
    SessionExpiredError,
    connect_local_server,
)
from desktop.client.local_server import read_server_info
from desktop.flows_controller import FlowsController
from desktop.panels.flows_panel import FlowsPanel
from desktop.preferences import Preferences, PreferencesStore, default_config_dir
from desktop.session_keeper import SessionKeeper
from desktop.workspace import Workspace

if TYPE_CHECKING:
    from desktop.client import Account, SignedIn
    from desktop.client.live_updates import LiveUpdates
    from desktop.connect_dialog import ConnectDialog
    from desktop.tray import Tray

log = logging.getLogger(__name__)

#: Run statuses that count as a failed run (notified, marked ✗ in the list).
FAILED_STATUSES = frozenset(
    {"FAILED", "TIMEOUT", "INTERNAL_ERROR", "MEMORY_LIMIT_EXCEEDED", "LOG_SIZE_EXCEEDED"}
)
_OFFLINE_STYLE = (
    "background: #fdecea; color: #611a15; padding: 6px; border-bottom: 1px solid #f5c6cb"
)


class MainWindow(QMainWindow):
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
        self.preferences: Preferences = self.preferences_store.load()
        self.accounts = AccountStore(self.config_dir)
        self.session = SessionKeeper(accounts=self.accounts, on_expired=self._session_expired)
        #: Import the sample flows into an empty local project the first time (the real app does).
        self.offer_samples = offer_samples
        #: Check the server's health and follow run events in the background (the real app does).
        self.watch_server = watch_server
        self.client: ApiClient | None = None
        #: True while connected to this computer's server (personal mode).
        self.local = True
        self.project_id: str | None = None
        #: The last "could not start" or import dialog (kept so it is not garbage-collected).
        self.error_dialog: QMessageBox | None = None
        self.dialog: QWidget | None = None
        self.tray: Tray | None = None
        self.monitor: ConnectionMonitor | None = None
        self.live: LiveUpdates | None = None
        #: The last notification shown (title, message), also when no tray could show it.
        self.last_notification: tuple[str, str] | None = None
        self._pending: set[asyncio.Future[Any]] = set()
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
        #: Shown while the server cannot be reached.
        self.offline_banner = QLabel()
        self.offline_banner.setStyleSheet(_OFFLINE_STYLE)
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

    # ---------------------------------------------------------------- connecting

    async def start(self, *, start_server: bool = True) -> bool:
        """Connects to this computer's server (starting it if needed) and loads the flows."""
        try:
            client = await connect_local_server(
                self.data_dir,
                start=start_server,
                progress=self.statusBar().showMessage,
                environment=self.preferences.server_environment(),
            )
        except LocalServerError as err:
            self._show_error(str(err).splitlines()[0])
            if start_server:
                self._show_dialog("Piecework could not start", str(err))
            return False
        return await self._use(client, local=True, label=f"This computer · {client.base_url}")

    async def use_this_computer(self) -> str | None:
        """Switches to this computer's server; None when done, else what went wrong."""
        blocked = self._unsaved()
        if blocked:
            return blocked
        try:
            client = await connect_local_server(
                self.data_dir,
                progress=self.statusBar().showMessage,
                environment=self.preferences.server_environment(),
            )
        except LocalServerError as err:
            return str(err)
        await self._use(client, local=True, label=f"This computer · {client.base_url}")
        return None

    async def use_team_server(self, url: str, email: str, password: str) -> str | None:
        """Signs in to a team server and switches to it; None when done, else what went wrong."""
        from desktop.client import Account, normalize_url, sign_in

        try:
            server_url = normalize_url(url)
        except ValueError as err:
            return str(err)
        blocked = None if self.session.is_expired(server_url, email) else self._unsaved()
        if blocked:
            return blocked
        try:
            signed = await sign_in(server_url, email, password)
        except ApiError as err:
            return err.message
        account = Account(server_url=signed.server_url, email=signed.email)
        await self.accounts.remember(account, signed.refresh_token)
        await self._use_signed_in(account, signed)
        return None

    async def use_account(self, server_url: str, email: str) -> str | None:
        """Signs in again to a remembered account with its stored token."""
        from desktop.client import Account, resume

        blocked = None if self.session.is_expired(server_url, email) else self._unsaved()
        if blocked:
            return blocked
        account = Account(server_url=server_url, email=email)
        token = await self.accounts.token(account)
        if not token:
            return f"Enter the password of {email} to sign in again."
        try:
            signed = await resume(server_url, token)
        except ServerUnavailableError as err:
            return err.message
        except ApiError as err:
            return f"{err.message}. Enter the password of {email} to sign in again."
        await self.accounts.remember(account, signed.refresh_token)
        await self._use_signed_in(account, signed)
        return None

    async def _use_signed_in(self, account: "Account", signed: "SignedIn") -> None:
        if self.session.resume_in_place(self.client, account, signed):
            await signed.client.close()
            self.connection_label.setText(account.label)
            self.report(f"Signed in again to {account.label}")
            await self.refresh()
            return
        self.session.attach(signed.client, account, signed.refresh_token)
        await self._use(signed.client, local=False, label=account.label, project=signed.project_id)

    def _session_expired(self, account: "Account", message: str) -> None:
        """The team server refused to renew the sign-in: back to the connect screen, with the
        account filled in (open builders stay; signing in again carries on with them)."""
        self.connection_label.setText(f"Signed out · {account.label}")
        dialog = self.open_connect()
        dialog.url.setText(account.server_url)
        dialog.email.setText(account.email)
        dialog.failed(message)

    async def _use(
        self, client: ApiClient, *, local: bool, label: str, project: str | None = None
    ) -> bool:
        await self._disconnect()
        self.client, self.local, self.project_id = client, local, project
        if self.tray is not None:
            self.tray.keep_running = local
        self.connection_label.setText(label)
        self.offline_banner.hide()
        loaded = await self.refresh()
        if loaded and local and self.offer_samples:
            await self._add_samples()
        if self.watch_server:
            relocate = (lambda: read_server_info(self.data_dir)) if local else None
            self.monitor = ConnectionMonitor(
                client, on_change=self._online_changed, relocate=relocate
            )
            self.monitor.start()
            self._start_live()
        # The pieces load after the flows list is shown, and after the first request: the
        # server creates the local owner on first use, where concurrent first requests race.
        # start() waits for them so that no request outlives it (tests drive the loop per call).
        await self.workspace.pieces_ready()
        return loaded

    async def _disconnect(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
            self.monitor = None
        if self.live is not None:
            await self.live.stop()
            self.live = None
        self.workspace.reset()
        if self.client is not None:
            await self.client.close()
            self.client = None
        self.project_id = None
        self.session.forget()

    def _unsaved(self) -> str | None:
        pending = [b for b in self.workspace.builders.values() if b.saves.pending]
        if pending:
            return (
                "A flow still has changes that are not saved on the server yet; wait until "
                "they are saved (or the server is back) before switching."
            )
        return None

    async def close_client(self) -> None:
        """Closes the server connection (the local server keeps running)."""
        await self._disconnect()

    # ---------------------------------------------------------------- the flows list

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

    async def _add_samples(self) -> None:
        from desktop.resources import sample_flows

        marker = str(self.data_dir.resolve())
        if marker in self.preferences.samples_added or self.flows_panel.flow_names():
            return
        for path in sample_flows():
            await self.flows.import_file(path)
        self._save_preferences(_with_sample_marker(self.preferences, marker), apply_theme=False)

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

    # ---------------------------------------------------------------- offline and live events

    def _online_changed(self, online: bool) -> None:
        if not online:
            self._went_offline(f"Cannot reach the server at {self._server_url()}")
            return
        self.offline_banner.hide()
        self.report("Reconnected to the server")
        self._later(self._reconnected())

    async def reconnect(self) -> bool:
        """Checks the server now (finding a restarted local server again); True when it answers."""
        client = self.client
        if client is None:
            return False
        online = await client.health(timeout_s=5)
        found = read_server_info(self.data_dir) if self.local else None
        if not online and found is not None and found != (client.base_url, client.token):
            client.retarget(*found)
            online = await client.health(timeout_s=5)
        if online and self.offline_banner.isVisible():
            if self.monitor is not None:
                self.monitor.online = True
            self.offline_banner.hide()
            await self._reconnected()
        return online

    async def _reconnected(self) -> None:
        if self.live is not None:  # a restarted local server has a new address and token
            await self.live.stop()
            self.live = None
        if await self.refresh():
            self.connection_label.setText(self._label())
            self.report("Reconnected to the server")
            if self.watch_server:
                self._start_live()

    def _went_offline(self, message: str) -> None:
        what = (
            "Is Piecework's local server still running?"
            if self.local
            else "Check your network, or ask whoever runs the server."
        )
        self.offline_banner.setText(
            f"<b>Offline.</b> {message}. {what} Trying again every few seconds; changes to your "
            "flows are kept and sent when it is back."
        )
        self.offline_banner.show()
        self.statusBar().showMessage("Offline: reconnecting…")
        if self.monitor is not None:
            self.monitor.online = False
            self.monitor.check_now()

    def _start_live(self) -> None:
        from desktop.client.live_updates import LiveUpdates

        if self.client is None or self.project_id is None:
            return
        client = self.client
        self.live = LiveUpdates(
            client.base_url,
            lambda: client.token,
            self.project_id,
            on_run_event=lambda run_id, event: self._run_event(run_id, event),
        )
        self.live.start()

    def _run_event(self, run_id: str, event: dict[str, Any]) -> None:
        if event.get("type") == "RUN_FINISHED":
            self._later(self._run_finished(run_id))

    async def _run_finished(self, run_id: str) -> None:
        client = self.client
        if client is None:
            return
        try:
            run = await client.run(run_id)
        except ApiError:
            return
        self.flows_panel.set_last_run(run.flow_id, run.status.value)
        if run.status.value in FAILED_STATUSES and self.preferences.notify_failed_runs:
            name = next(
                (f.version.display_name for f in self.flows_panel.shown() if f.id == run.flow_id),
                "A flow",
            )
            reason = run.error or (f"step {run.failed_step}" if run.failed_step else "")
            self.notify(f"“{name}” failed", reason or f"The run ended {run.status.value}")

    def notify(self, title: str, message: str) -> None:
        """A desktop notification (the tray's), else a status-bar message."""
        self.last_notification = (title, message)
        if self.tray is None or not self.tray.notify(title, message):
            self.statusBar().showMessage(f"{title}: {message}", 15000)

    # ---------------------------------------------------------------- dialogs and quitting

    def open_connect(self) -> "ConnectDialog":
        """Shows the connect screen (non-blocking)."""
        from desktop.client import Account
        from desktop.connect_dialog import ConnectDialog

        dialog = ConnectDialog(self.accounts.accounts(), self)

        def done(work: Coroutine[Any, Any, str | None]) -> None:
            async def run() -> None:
                problem = await work
                if problem is None:
                    dialog.accept()
                else:
                    dialog.failed(problem)

            self._later(run())

        async def forget(url: str, email: str) -> None:
            await self.accounts.forget(Account(server_url=url, email=email))
            dialog.show_accounts(self.accounts.accounts())

        dialog.local_chosen.connect(lambda: done(self.use_this_computer()))
        dialog.account_chosen.connect(lambda url, email: done(self.use_account(url, email)))
        dialog.sign_in_requested.connect(
            lambda url, email, password: done(self.use_team_server(url, email, password))
        )
        dialog.forget_requested.connect(lambda url, email: self._later(forget(url, email)))
        dialog.open()
        self.dialog = dialog
        return dialog

    def open_settings(self) -> QWidget:
        """Shows the settings (non-blocking); saving applies the theme at once."""
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.preferences, self)
        dialog.saved.connect(lambda chosen: self._save_preferences(chosen, apply_theme=True))
        dialog.open()
        self.dialog = dialog
        return dialog

    def open_about(self) -> QMessageBox:
        """Shows the versions (non-blocking)."""
        from desktop.about_dialog import about_box

        server = self.connection_label.text()
        box = about_box(self, server=f"{server} · data in {self.data_dir}")
        box.open()
        self.dialog = box
        return box

    def _save_preferences(self, chosen: Preferences, *, apply_theme: bool) -> None:
        try:
            self.preferences_store.save(chosen)
        except OSError as err:
            self._show_dialog(
                "Settings not saved",
                f"Cannot write {self.preferences_store.path}: {err.strerror or err}",
            )
            return
        self.preferences = chosen
        if apply_theme:
            from PySide6.QtWidgets import QApplication

            from desktop.theme import apply_theme as apply

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply(app, chosen.theme)
            self.report("Settings saved")

    def request_quit(self) -> None:
        """Quit: stops this computer's server (in personal mode) and the app."""
        if self.tray is not None:
            self._later(self._quit())
        else:
            self.close()

    async def _quit(self) -> None:
        if self.tray is None:
            return
        if self.local:
            self.statusBar().showMessage("Stopping the server on this computer…")
            await self._disconnect()
        if not await self.tray.quit():
            self._show_dialog(
                "The server did not stop",
                f"The server of {self.data_dir} did not stop within 30 seconds; "
                "stop it from a terminal, or try Quit again.",
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides the window where a tray keeps the app (and the local server) running."""
        if self.tray is not None and self.tray.window_closing():
            event.ignore()
            return
        event.accept()

    # ---------------------------------------------------------------- helpers

    def report(self, message: str) -> None:
        """A message in the status line."""
        self.statusBar().showMessage(message, 8000)

    def _label(self) -> str:
        if self.local and self.client is not None:
            return f"This computer · {self.client.base_url}"
        return self.connection_label.text()

    def _server_url(self) -> str:
        return self.client.base_url if self.client is not None else "(none)"

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


def _with_sample_marker(preferences: Preferences, marker: str) -> Preferences:
    from dataclasses import replace

    return replace(preferences, samples_added=(*preferences.samples_added, marker))
