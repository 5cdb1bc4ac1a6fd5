"""Waiting for runs to finish: LISTEN for the worker's NOTIFY, with a periodic re-check as a safety net."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import TERMINAL, RunStatus, WebhookResponse
from server.services.runs import RUN_FINISHED_CHANNEL

log = logging.getLogger(__name__)

#: How often a waiter re-reads the run in case a notification was missed (seconds).
RECHECK_INTERVAL_S = 1.0

# What a sync caller is answered with, and only that: not the run's steps and payload.
_ANSWER = text(
    "SELECT status, result -> 'response' AS response, result ->> 'errorMessage' AS error"
    "  FROM flow_runs WHERE id = :run_id"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunAnswer:
    """A run that ended (or paused with a response to send): what its caller is answered."""

    status: RunStatus
    #: The flow's Return Response, if it gave one.
    response: WebhookResponse | None
    error: str | None


class RunWaiter:
    """One LISTEN connection per server process, shared by every request that waits for a run."""

    def __init__(self, *, conninfo: str, sessions: Callable[[], AsyncSession]) -> None:
        self._conninfo = conninfo
        self._sessions = sessions
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._conn: psycopg.AsyncConnection[object] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Opens the LISTEN connection (and opens it again whenever it is lost)."""
        self._conn = await self._connect()
        self._task = asyncio.create_task(self._listen(self._conn), name="run-waiter")

    async def _connect(self) -> "psycopg.AsyncConnection[object]":
        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(RUN_FINISHED_CHANNEL)))
        except BaseException:
            await conn.close()  # a half-made connection must not be left open
            raise
        return conn

    async def stop(self) -> None:
        """Closes the connection; waiting requests fall back to re-checking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()

    def expect(self, run_id: str) -> asyncio.Event:
        """Listens for the run's end from now on. Called before the run can start (before its
        job is committed), its `wait(expected=...)` need not read the run first: no end can
        have been missed. Give it to `wait`, or to `discard` if the run is not queued after all."""
        event = asyncio.Event()
        self._waiters.setdefault(run_id, set()).add(event)
        return event

    def discard(self, run_id: str, event: asyncio.Event) -> None:
        """Stops listening with `event` (from `expect`)."""
        waiters = self._waiters.get(run_id)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                del self._waiters[run_id]

    async def wait(
        self,
        run_id: str,
        *,
        timeout_s: float,
        or_paused: bool = False,
        expected: asyncio.Event | None = None,
    ) -> RunAnswer | None:
        """The run's answer once it is terminal (or, with `or_paused`, PAUSED with a response to
        send), or None when `timeout_s` passes first. With `expected` (from `expect`), the run is
        read only once a notification came (or at each re-check)."""
        event = expected if expected is not None else self.expect(run_id)
        read = expected is None
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                if read:
                    async with self._sessions() as session:
                        answer = await _answer(session, run_id, or_paused=or_paused)
                    if answer is not None:
                        return answer
                read = True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, RECHECK_INTERVAL_S))
                event.clear()
        finally:
            self.discard(run_id, event)

    async def _listen(self, conn: psycopg.AsyncConnection[object]) -> None:
        while True:
            try:
                async for notify in conn.notifies():
                    for event in self._waiters.get(notify.payload, ()):
                        event.set()
            except psycopg.Error as err:
                log.warning(
                    "the run notification connection was lost (%s); waiting requests re-check "
                    "every %ss until it is back",
                    str(err).strip().splitlines()[0] if str(err).strip() else "closed",
                    RECHECK_INTERVAL_S,
                )
            with contextlib.suppress(psycopg.Error):
                await conn.close()
            conn = await self._reconnect()

    async def _reconnect(self) -> "psycopg.AsyncConnection[object]":
        while True:
            await asyncio.sleep(RECHECK_INTERVAL_S)
            try:
                self._conn = await self._connect()
            except psycopg.Error:
                continue
            for events in self._waiters.values():  # anything may have finished meanwhile
                for event in events:
                    event.set()
            return self._conn


async def _answer(session: AsyncSession, run_id: str, *, or_paused: bool) -> RunAnswer | None:
    """The run's answer when it has one: terminal, or (with `or_paused`) PAUSED with a response
    to send. One small read: its status, response and error."""
    row = (await session.execute(_ANSWER, {"run_id": run_id})).one_or_none()
    if row is None:
        return None
    status = RunStatus(row.status)
    response = None if row.response is None else WebhookResponse.model_validate(row.response)
    if status in TERMINAL or (or_paused and status == RunStatus.PAUSED and response is not None):
        return RunAnswer(status=status, response=response, error=row.error)
    return None
