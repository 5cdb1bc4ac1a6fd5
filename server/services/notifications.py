"""PostgreSQL notifications a server process follows: one LISTEN connection for all its channels
(runs finished for sync callers, live events for WebSocket clients), since every connection is
a PostgreSQL backend's memory. Lost, it is made again every second; those who asked are told,
as a notification may have been missed meanwhile."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

#: Seconds before making a lost connection again.
RECONNECT_DELAY_S = 1.0
#: Longest `start` waits for the first connection to listen.
START_WAIT_S = 10.0


class Notifications:
    """Hands each notification's payload to its channel's handler."""

    def __init__(self, *, conninfo: str) -> None:
        self._conninfo = conninfo
        self._handlers: dict[str, Callable[[str], None]] = {}
        self._on_listening: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def listen(self, channel: str, handler: Callable[[str], None]) -> None:
        """Calls `handler` with the payload of every notification on `channel` (before `start`)."""
        self._handlers[channel] = handler

    def on_listening(self, callback: Callable[[], None]) -> None:
        """Calls `callback` each time the connection starts listening, the first time and after
        it was lost (what was notified meanwhile is missed)."""
        self._on_listening.append(callback)

    async def start(self) -> None:
        """Starts listening, and waits (up to `START_WAIT_S`) until the connection listens."""
        self._task = asyncio.create_task(self._run(), name="notifications")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), START_WAIT_S)

    async def stop(self) -> None:
        """Stops listening and closes the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    for channel in self._handlers:
                        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self._listening.set()
                    for callback in self._on_listening:
                        self._call(callback)
                    async for notify in conn.notifies():
                        handler = self._handlers.get(notify.channel)
                        if handler is not None:
                            self._call(handler, notify.payload)
            except psycopg.Error as err:
                reason = str(err).strip().splitlines()[0] if str(err).strip() else "closed"
                log.warning(
                    "the notification connection was lost (%s); trying again every %g s",
                    reason,
                    RECONNECT_DELAY_S,
                )
            await asyncio.sleep(RECONNECT_DELAY_S)

    @staticmethod
    def _call(handler: Callable[..., None], *args: str) -> None:
        try:
            handler(*args)
        except Exception:  # one handler's failure must not stop the others' notifications
            log.exception("a notification handler failed")
