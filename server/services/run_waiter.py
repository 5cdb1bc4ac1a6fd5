"""Waiting for runs to finish: LISTEN for the worker's NOTIFY (which carries the answer), with a periodic re-check as a safety net."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import TERMINAL, RunStatus
from server.services.notifications import Notifications
from server.services.run_answers import (
    RUN_FINISHED_CHANNEL,
    RunAnswer,
    answer_of,
    read_answer_message,
)

#: How often a waiter re-reads the run in case a notification was missed (seconds).
RECHECK_INTERVAL_S = 1.0

# What a sync caller is answered with, and only that: not the run's steps and payload.
_ANSWER = text(
    "SELECT status, result -> 'response' AS response, result ->> 'errorMessage' AS error"
    "  FROM flow_runs WHERE id = :run_id"
)


@dataclass(eq=False, slots=True)
class Waiting:
    """One caller waiting for a run: set when a notification about the run came, with the
    answer it carried (None when it carried only the run's id)."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    answer: RunAnswer | None = None


class RunWaiter:
    """Every request of a server process that waits for a run, told by its `Notifications`."""

    def __init__(
        self, *, notifications: Notifications, sessions: Callable[[], AsyncSession]
    ) -> None:
        self._sessions = sessions
        self._waiters: dict[str, set[Waiting]] = {}
        notifications.listen(RUN_FINISHED_CHANNEL, self._notified)
        # Anything may have finished while the connection was lost: every waiter reads its run.
        notifications.on_listening(self._wake_all)

    def expect(self, run_id: str) -> Waiting:
        """Listens for the run's end from now on. Called before the run can start (before its
        job is committed), its `wait(expected=...)` need not read the run first: no end can
        have been missed. Give it to `wait`, or to `discard` if the run is not queued after all."""
        waiting = Waiting()
        self._waiters.setdefault(run_id, set()).add(waiting)
        return waiting

    def discard(self, run_id: str, waiting: Waiting) -> None:
        """Stops listening with `waiting` (from `expect`)."""
        waiters = self._waiters.get(run_id)
        if waiters is not None:
            waiters.discard(waiting)
            if not waiters:
                del self._waiters[run_id]

    async def wait(
        self,
        run_id: str,
        *,
        timeout_s: float,
        or_paused: bool = False,
        expected: Waiting | None = None,
    ) -> RunAnswer | None:
        """The run's answer once it is terminal (or, with `or_paused`, PAUSED with a response to
        send), or None when `timeout_s` passes first. With `expected` (from `expect`), the run is
        read only at a re-check or when a notification came without the answer."""
        waiting = expected if expected is not None else self.expect(run_id)
        read = expected is None  # whether to read the run's row this round
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                waiting.event.clear()  # cleared first: a notification from now on is kept
                told, waiting.answer = waiting.answer, None
                if told is not None:
                    if _ready(told, or_paused=or_paused):
                        return told
                elif read:
                    async with self._sessions() as session:
                        answer = await _answer(session, run_id, or_paused=or_paused)
                    if answer is not None:
                        return answer
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                try:
                    await asyncio.wait_for(waiting.event.wait(), min(remaining, RECHECK_INTERVAL_S))
                except TimeoutError:
                    read = True  # the safety net: a notification may have been missed
                else:
                    read = waiting.answer is None  # notified without the answer: read it
        finally:
            self.discard(run_id, waiting)

    def _notified(self, payload: str) -> None:
        run_id, answer = read_answer_message(payload)
        for waiting in self._waiters.get(run_id, ()):
            waiting.answer = answer
            waiting.event.set()

    def _wake_all(self) -> None:
        for waiters in self._waiters.values():
            for waiting in waiters:
                waiting.event.set()


async def _answer(session: AsyncSession, run_id: str, *, or_paused: bool) -> RunAnswer | None:
    """The run's answer when it has one: terminal, or (with `or_paused`) PAUSED with a response
    to send. One small read: its status, response and error."""
    row = (await session.execute(_ANSWER, {"run_id": run_id})).one_or_none()
    if row is None:
        return None
    answer = answer_of(row.status, row.response, row.error)
    return answer if _ready(answer, or_paused=or_paused) else None


def _ready(answer: RunAnswer, *, or_paused: bool) -> bool:
    """Whether the caller is answered now: the run ended, or paused with a response to send."""
    return answer.status in TERMINAL or (
        or_paused and answer.status == RunStatus.PAUSED and answer.response is not None
    )
