"""Watching whether the server answers: says when it goes away and when it is back."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from desktop.client.api_client import ApiClient

log = logging.getLogger(__name__)

#: Names of tasks that run as long as the connection (tests driving the loop leave them running).
WATCHER_TASK_PREFIX = "pw-watch-"
#: Seconds between health checks.
CHECK_INTERVAL_S = 2.0
#: A server that takes longer than this to answer a health check counts as not answering.
CHECK_TIMEOUT_S = 5.0


class ConnectionMonitor:
    """Asks the server's health every few seconds and calls `on_change(online)` when it changes."""

    def __init__(
        self,
        client: ApiClient,
        *,
        on_change: Callable[[bool], None],
        relocate: Callable[[], tuple[str, str] | None] | None = None,
        interval_s: float = CHECK_INTERVAL_S,
        timeout_s: float = CHECK_TIMEOUT_S,
    ) -> None:
        self.client = client
        self.online = True
        self.interval_s = interval_s
        self._timeout_s = timeout_s
        self._on_change = on_change
        #: Where the server is now (URL, token), for a local server that restarted on a new port.
        self._relocate = relocate
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        """Starts checking (in the background; call from the running loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name=f"{WATCHER_TASK_PREFIX}health")

    def check_now(self) -> None:
        """Checks at once (a request just failed to reach the server)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stops checking."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _check(self) -> bool:
        online = await self.client.health(timeout_s=self._timeout_s)
        if not online and self._relocate is not None:
            found = await asyncio.to_thread(self._relocate)
            if found is not None and found != (self.client.base_url, self.client.token):
                self.client.retarget(*found)
                online = await self.client.health(timeout_s=self._timeout_s)
        return online

    async def _watch(self) -> None:
        while True:
            try:
                online = await self._check()
            except Exception:  # the task's boundary: one broken check must not end the watching
                log.exception("health check of %s failed", self.client.base_url)
                online = False
            if online != self.online:
                self.online = online
                log.info("server %s %s", self.client.base_url, "back" if online else "gone")
                self._on_change(online)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)
