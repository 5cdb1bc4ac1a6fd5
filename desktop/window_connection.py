"""Connecting the main window: this computer's server or a team server, signing in (again),
switching, and disconnecting."""

from typing import TYPE_CHECKING

from desktop.client import (
    ApiClient,
    ApiError,
    ConnectionMonitor,
    LocalServerError,
    ServerUnavailableError,
    connect_local_server,
)
from desktop.client.local_server import read_server_info
from desktop.preferences import Preferences
from desktop.window_status import WindowStatus

if TYPE_CHECKING:
    from desktop.client import Account, SignedIn


class WindowConnection(WindowStatus):
    """The server connection: which server, which account, and the first look at it."""

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

    async def _add_samples(self) -> None:
        from desktop.resources import sample_flows

        marker = str(self.data_dir.resolve())
        if marker in self.preferences.samples_added or self.flows_panel.flow_names():
            return
        for path in sample_flows():
            await self.flows.import_file(path)
        self._save_preferences(_with_sample_marker(self.preferences, marker), apply_theme=False)


def _with_sample_marker(preferences: Preferences, marker: str) -> Preferences:
    from dataclasses import replace

    return replace(preferences, samples_added=(*preferences.samples_added, marker))
