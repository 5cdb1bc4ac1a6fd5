"""The main window's dialogs (connect, settings, about) and quitting."""

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.window_connection import WindowConnection

if TYPE_CHECKING:
    from desktop.connect_dialog import ConnectDialog


class WindowDialogs(WindowConnection):
    """The connect, settings and about dialogs (non-blocking), Quit and closing the window."""

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
