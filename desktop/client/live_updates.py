"""Run events pushed by the server over its WebSocket (`/api/v1/ws`), with reconnection."""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import connect

from desktop.client.connection_monitor import WATCHER_TASK_PREFIX

log = logging.getLogger(__name__)

#: Seconds before connecting again after the connection dropped (doubling up to the last).
RECONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)


class LiveUpdates:
    """Subscribes to a project's runs; calls `on_run_event(run_id, event)` for each event.

    `token` gives the current access token at each (re)connection: a team server's token is
    renewed during a session (`ApiClient.renew_token`).
    """

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        project_id: str,
        *,
        on_run_event: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.url = base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self.url += "/api/v1/ws"
        self._token = token
        self._project_id = project_id
        self._on_run_event = on_run_event
        self._task: asyncio.Task[None] | None = None
        #: Set while subscribed (tests and the status line wait on it).
        self.subscribed = asyncio.Event()

    def start(self) -> None:
        """Connects in the background and keeps reconnecting until stopped."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{WATCHER_TASK_PREFIX}live")

    async def stop(self) -> None:
        """Closes the connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen()
                failures = 0
            except (OSError, websockets.WebSocketException, TimeoutError, ValueError) as err:
                log.debug("live updates interrupted: %s", err)
            self.subscribed.clear()
            await asyncio.sleep(RECONNECT_DELAYS_S[min(failures, len(RECONNECT_DELAYS_S) - 1)])
            failures += 1

    async def _listen(self) -> None:
        # The token goes in the first message, not in the URL, so no proxy or log records it.
        async with connect(self.url, open_timeout=10, max_size=2**20) as socket:
            await socket.send(json.dumps({"type": "AUTH", "token": self._token()}))
            await socket.send(json.dumps({"type": "SUBSCRIBE_RUNS", "projectId": self._project_id}))
            async for raw in socket:
                message = json.loads(raw)
                kind = message.get("type") if isinstance(message, dict) else None
                if kind == "SUBSCRIBED":
                    self.subscribed.set()
                elif kind == "RUN_EVENT" and isinstance(message.get("event"), dict):
                    self._on_run_event(str(message.get("runId")), message["event"])
                elif kind == "ERROR":
                    log.warning("live updates refused: %s", message.get("message"))
