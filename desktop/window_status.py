"""The main window's view of the server: the offline banner, reconnecting, and live run events
(a failed run is notified)."""

from typing import Any

from desktop.client import ApiError
from desktop.client.local_server import read_server_info
from desktop.window_core import WindowCore

#: Run statuses that count as a failed run (notified, marked ✗ in the list).
FAILED_STATUSES = frozenset(
    {"FAILED", "TIMEOUT", "INTERNAL_ERROR", "MEMORY_LIMIT_EXCEEDED", "LOG_SIZE_EXCEEDED"}
)
#: The offline banner's look.
OFFLINE_STYLE = (
    "background: #fdecea; color: #611a15; padding: 6px; border-bottom: 1px solid #f5c6cb"
)


class WindowStatus(WindowCore):
    """Going offline and back, and following run events."""

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
