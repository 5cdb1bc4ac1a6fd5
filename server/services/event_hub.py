"""The server process's end of live events: its `Notifications`, many WebSocket subscribers."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from server.services.live_events import CHANNEL
from server.services.notifications import Notifications

log = logging.getLogger(__name__)

#: Messages a subscriber may have waiting; past it the subscriber is cut off (it reads too slowly).
QUEUE_SIZE = 1000


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
    """Hands each event of the live-events channel to the subscribers that want it."""

    def __init__(self, *, notifications: Notifications) -> None:
        notifications.listen(CHANNEL, self._deliver)
        self._subscribers: set[Subscriber] = set()
        self._listeners: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def subscribe(self) -> Subscriber:
        """A new subscriber with no subscriptions yet; `unsubscribe` it when its client leaves."""
        subscriber = Subscriber()
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forgets the subscriber."""
        self._subscribers.discard(subscriber)

    def listen(self, kind: str, listener: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        """Runs `listener` (in a task of its own) for every event of this kind, e.g. a new piece."""
        self._listeners[kind] = listener

    def dispatch(self, message: dict[str, Any]) -> None:
        """Queues the message for every subscriber that wants it, and starts its kind's listener."""
        listener = self._listeners.get(str(message.get("kind")))
        if listener is not None:
            task = asyncio.create_task(self._guarded(listener, message))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        for subscriber in self._subscribers:
            if subscriber.wants(message):
                try:
                    subscriber.queue.put_nowait(message)
                except asyncio.QueueFull:
                    subscriber.overflowed.set()

    async def _guarded(
        self, listener: Callable[[dict[str, Any]], Awaitable[None]], message: dict[str, Any]
    ) -> None:
        try:
            await listener(message)
        except Exception:  # a listener's failure must not stop the hub; it is logged
            log.exception("live event listener failed for %s", message.get("kind"))

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            log.warning("ignored a live event that is not JSON")
            return
        if isinstance(message, dict):
            self.dispatch(message)
