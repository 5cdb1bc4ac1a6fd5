"""The system tray of personal mode: closing the window keeps the local server running; Quit stops it."""

from collections.abc import Awaitable, Callable

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from desktop.resources import icon_path


class Tray:
    """Decides what closing the window does, and offers Open, Quit and notifications in the tray.

    Where the desktop has no system tray (`available` False: some Linux desktops, offscreen),
    closing the window quits the app and the local server keeps running, as it did before; the
    window's Quit stops the server in both cases.
    """

    def __init__(
        self,
        *,
        window: QWidget,
        stop_server: Callable[[], Awaitable[bool]],
        quit_app: Callable[[], None],
        icon: QIcon | None = None,
        available: bool | None = None,
    ) -> None:
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        #: Closing the window hides it (personal mode); in team mode there is no server to keep.
        self.keep_running = True
        self._stop_server = stop_server
        self._quit_app = quit_app
        self._told_hidden = False
        self.icon: QSystemTrayIcon | None = None
        if self.available:
            # A tray entry without an icon is invisible: the app's icon unless told otherwise.
            self.icon = QSystemTrayIcon(icon or QIcon(str(icon_path())), window)
            self.icon.setToolTip("Piecework")
            menu = QMenu(window)
            menu.addAction("Open Piecework", self.show_window)
            menu.addSeparator()
            menu.addAction("Quit Piecework", self._quit_later)
            self.icon.setContextMenu(menu)
            self.icon.activated.connect(lambda _reason: self.show_window())
            self.icon.show()
        self._quit_requested: Callable[[], None] = lambda: None

    def on_quit_requested(self, callback: Callable[[], None]) -> None:
        """What the tray's Quit entry calls (the window runs `quit()` on its loop)."""
        self._quit_requested = callback

    def window_closing(self) -> bool:
        """Called when the window is closed: True when it was only hidden (the app keeps running)."""
        if not (self.available and self.keep_running):
            return False
        self.window.hide()
        if not self._told_hidden:
            self._told_hidden = True
            self.notify(
                "Piecework keeps running",
                "Your flows keep running on this computer. Quit from the tray icon to stop them.",
            )
        return True

    def show_window(self) -> None:
        """Brings the window back."""
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def notify(self, title: str, message: str) -> bool:
        """Shows a desktop notification; False where there is no tray to show it."""
        if self.icon is None:
            return False
        self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)
        return True

    async def quit(self) -> bool:
        """Stops the local server, then the app; False (and the app stays) if the server did not stop."""
        stopped = await self._stop_server()
        if not stopped:
            return False
        if self.icon is not None:
            self.icon.hide()
        self._quit_app()
        return True

    def _quit_later(self) -> None:
        self._quit_requested()
