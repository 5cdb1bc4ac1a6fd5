"""The server process's end of live events: one LISTEN connection, many WebSocket subscribers."""

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from server.services.live_events import CHANNEL

log = logging.getLogger(__name__)

#: Messages a subscriber may have waiting; past it the subscriber is cut off (it reads too slowly).
QUEUE_SIZE = 1000
#: Seconds before reconnecting a lost LISTEN connection.
RECONNECT_DELAY_S = 1.0


@dataclass(eq=False, slots=True)
class Subscriber:
    """One WebSocket client's subscriptions and the messages waiting for it."""

    #: Projects whose flow changes it follows.
    flow_projects: set[str] = field(default_factory=set)
    #: Projects all of whose runs it follows.
    run_projects: set[str] = field(default_factory=set)
    #: Single runs it follows.
    runs: set[str] = field(default_factory=set)
    queue: "asyncio.Queue[dict[str, Any]]" = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )
    #: Set when messages were dropped because the queue was full.
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)

    def wants(self, message: dict[str, Any]) -> bool:
        """Whether the message matches one of the subscriptions."""
        project = message.get("projectId")
        if message.get("kind") == "flow":
            return project in self.flow_projects
        if message.get("kind") == "run":
            return project in self.run_projects or message.get("runId") in self.runs
        return False


class EventHub:
    """LISTENs on the live-events channel and hands each event to the subscribers that want it."""

    def __init__(self, *, conninfo: str) -> None:
        self._conninfo = conninfo
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def start(self) -> None:
        """Starts listening (and waits until the first connection listens)."""
        self._task = asyncio.create_task(self._run(), name="event-hub")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), 10)

    async def stop(self) -> None:
        """Stops listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self) -> Subscriber:
        """A new subscriber with no subscriptions yet; `unsubscribe` it when its client leaves."""
        subscriber = Subscriber()
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forgets the subscriber."""
        self._subscribers.discard(subscriber)

    def dispatch(self, message: dict[str, Any]) -> None:
        """Queues the message for every subscriber that wants it."""
        for subscriber in self._subscribers:
            if subscriber.wants(message):
                try:
                    subscriber.queue.put_nowait(message)
                except asyncio.QueueFull:
                    subscriber.overflowed.set()

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    self._listening.set()
                    async for notify in conn.notifies():
                        self._deliver(notify.payload)
            except psycopg.Error as err:
                log.warning("live events connection lost (%s); reconnecting", err)
            await asyncio.sleep(RECONNECT_DELAY_S)

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            log.warning("ignored a live event that is not JSON")
            return
        if isinstance(message, dict):
            self.dispatch(message)
