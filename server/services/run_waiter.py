"""Waiting for runs to finish: LISTEN for the worker's NOTIFY, with a periodic re-check as a safety net."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import TERMINAL, RunStatus
from engine.model.resources import FlowRunRead
from server.db.models import FlowRunRow
from server.services.runs import RUN_FINISHED_CHANNEL, read_run

log = logging.getLogger(__name__)

#: How often a waiter re-reads the run in case a notification was missed (seconds).
RECHECK_INTERVAL_S = 1.0


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

    async def wait(
        self, run_id: str, *, timeout_s: float, or_paused: bool = False
    ) -> FlowRunRead | None:
        """Returns the run once it is terminal (or, with `or_paused`, PAUSED with a response to
        send), or None when `timeout_s` passes first."""
        event = asyncio.Event()
        self._waiters.setdefault(run_id, set()).add(event)
        deadline = time.monotonic() + timeout_s
        notified = False
        try:
            while True:
                async with self._sessions() as session:
                    run = await _answer(session, run_id, notified=notified, or_paused=or_paused)
                if run is not None:
                    return run
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                notified = False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, RECHECK_INTERVAL_S))
                    notified = True
                event.clear()
        finally:
            waiters = self._waiters.get(run_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[run_id]

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


async def _answer(
    session: AsyncSession, run_id: str, *, notified: bool, or_paused: bool
) -> FlowRunRead | None:
    """The run when it is the answer: terminal, or (with `or_paused`) PAUSED with a response to
    send. Until a notification says it may be, only its status is read; the whole run, its steps
    validated, only when it may be the answer."""
    if not notified:
        status = await session.scalar(select(FlowRunRow.status).where(FlowRunRow.id == run_id))
        if not (status in TERMINAL or (or_paused and status == RunStatus.PAUSED)):
            return None
    run = await read_run(session, run_id)
    if run is not None and (
        run.status in TERMINAL
        or (or_paused and run.status == RunStatus.PAUSED and run.response is not None)
    ):
        return run
    return None
