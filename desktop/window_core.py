"""The main window's shared core: its parts (made by MainWindow), the status line, dialogs of
errors, preferences, and running work on the event loop."""

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from desktop.client import AccountStore, ApiClient, ConnectionMonitor
from desktop.flows_controller import FlowsController
from desktop.panels.flows_panel import FlowsPanel
from desktop.preferences import Preferences, PreferencesStore
from desktop.session_keeper import SessionKeeper
from desktop.workspace import Workspace

if TYPE_CHECKING:
    from desktop.client.live_updates import LiveUpdates
    from desktop.connect_dialog import ConnectDialog
    from desktop.tray import Tray

log = logging.getLogger(__name__)


class WindowCore(QMainWindow):
    """What every part of the main window shares: its state and widgets (made by MainWindow),
    the status line, error dialogs, saving preferences, and tasks on the event loop.

    The parts build on each other: `WindowStatus` (offline banner, live run events),
    `WindowConnection` (connecting and signing in), `WindowDialogs` (dialogs and quitting), and
    `MainWindow` (layout, menu, the flows list).
    """

    data_dir: Path
    config_dir: Path
    preferences_store: PreferencesStore
    preferences: Preferences
    accounts: AccountStore
    session: SessionKeeper
    #: Import the sample flows into an empty local project the first time (the real app does).
    offer_samples: bool
    #: Check the server's health and follow run events in the background (the real app does).
    watch_server: bool
    client: ApiClient | None
    #: True while connected to this computer's server (personal mode).
    local: bool
    project_id: str | None
    #: The last "could not start" or import dialog (kept so it is not garbage-collected).
    error_dialog: QMessageBox | None
    dialog: QWidget | None
    tray: "Tray | None"
    monitor: ConnectionMonitor | None
    live: "LiveUpdates | None"
    #: The last notification shown (title, message), also when no tray could show it.
    last_notification: tuple[str, str] | None
    _pending: set[asyncio.Future[Any]]
    flows_panel: FlowsPanel
    flows: FlowsController
    tabs: QTabWidget
    workspace: Workspace
    #: Shown while the server cannot be reached.
    offline_banner: QLabel
    connection_label: QLabel

    async def refresh(self) -> bool:
        """Loads the flows, folders and last runs of the project again (MainWindow)."""
        raise NotImplementedError

    def open_connect(self) -> "ConnectDialog":
        """Shows the connect screen (WindowDialogs)."""
        raise NotImplementedError

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
