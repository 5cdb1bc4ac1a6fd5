"""Following a run until it ends: live events over the WebSocket `/api/v1/ws`, polling as the fallback.

Each STEP_STARTED event is handed on at once (the canvas marks the step running); STEP_FINISHED
and RUN_FINISHED make the watcher read the run again (its outputs and durations). When the
WebSocket cannot be opened or drops, the run is polled instead, so a run is always followed
to its end; a quiet connection is checked with a read every few seconds in case an event was lost.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from desktop.client.api_client import ApiClient
from engine.model import TERMINAL, RunStatus
from engine.model.resources import FlowRunRead

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.3
#: With a live connection, the run is read again after this long without an event.
QUIET_CHECK_S = 3.0

RunCallback = Callable[[FlowRunRead], None]
EventCallback = Callable[[dict[str, Any]], None]


def _done(run: FlowRunRead) -> bool:
    return run.status in TERMINAL or run.status == RunStatus.PAUSED


async def watch_run(
    client: ApiClient,
    run_id: str,
    *,
    on_update: RunCallback = lambda run: None,
    on_event: EventCallback = lambda event: None,
    timeout_s: float = 120.0,
    interval_s: float = POLL_INTERVAL_S,
    live: bool = True,
    rehydrate: bool = True,
) -> FlowRunRead:
    """Follows the run until it is finished (or PAUSED), calling `on_update` with each new state
    and `on_event` with each live event (`{"type": "STEP_STARTED", "step": ...}`, ...).

    Raises:
        TimeoutError: still going after `timeout_s` (it goes on running on the server).

    `rehydrate=False` reads offloaded outputs as references (`ApiClient.run`).
    """
    read = partial(client.run, rehydrate=rehydrate)
    async with asyncio.timeout(timeout_s):
        if live:
            run = await _watch_live(
                client, run_id, read=read, on_update=on_update, on_event=on_event
            )
            if run is not None:
                return run
        while True:
            run = await read(run_id)
            on_update(run)
            if _done(run):
                return run
            await asyncio.sleep(interval_s)


async def _watch_live(
    client: ApiClient,
    run_id: str,
    *,
    read: Callable[[str], Awaitable[FlowRunRead]],
    on_update: RunCallback,
    on_event: EventCallback,
) -> FlowRunRead | None:
    """The run once it ended, or None when the live connection failed (the caller polls)."""
    try:
        async with connect(client.live_url(), open_timeout=5, max_size=2**20) as socket:
            await socket.send(client.live_auth())
            await _expect(socket, "READY")
            await socket.send(json.dumps({"type": "SUBSCRIBE_RUN", "runId": run_id}))
            await _expect(socket, "SUBSCRIBED")
            # Read after subscribing: an event sent before it is then never missed.
            run = await read(run_id)
            on_update(run)
            while not _done(run):
                event = await _next_event(socket, run_id)
                if event is not None:
                    on_event(event)
                    if event.get("type") == "STEP_STARTED":
                        continue
                run = await read(run_id)
                on_update(run)
            return run
    except (OSError, WebSocketException, ValueError) as err:
        log.info("live updates unavailable (%s); polling run %s", err, run_id)
        return None


async def _expect(socket: ClientConnection, kind: str) -> dict[str, Any]:
    message = json.loads(await socket.recv())
    if not isinstance(message, dict) or message.get("type") != kind:
        raise ValueError(f"expected {kind}, got {message!r}"[:200])
    return message


async def _next_event(socket: ClientConnection, run_id: str) -> dict[str, Any] | None:
    """The run's next event, or None after QUIET_CHECK_S without one."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(QUIET_CHECK_S):
            while True:
                message = json.loads(await socket.recv())
                if (
                    isinstance(message, dict)
                    and message.get("type") == "RUN_EVENT"
                    and message.get("runId") == run_id
                    and isinstance(message.get("event"), dict)
                ):
                    event: dict[str, Any] = message["event"]
                    return event
    return None
