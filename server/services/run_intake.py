"""Webhook events accepted together: the runs and jobs of every event that arrives while one
write is under way are written by the next, in one statement and one commit.

A webhook answers once its run and its job are stored. Written one by one, every event costs a
connection, a statement and a commit of its own, and under load most of a server's time goes
there. Here the events of the same few milliseconds share them (a group commit); with no load
an event is written at once, alone, so a single call waits for nothing.

- An event's runs are written together or not at all.
- A value the database refuses (a payload it cannot store) fails its own event only: a batch
  that fails so is written again, event by event.
- The write checks that the flow is still enabled with the version its trigger ran. An event
  whose flow was turned off or republished meanwhile writes nothing, and `accept` returns None:
  the caller reads the flow again.
- A job written as taken by a worker (`NewRun.take_with`) is handed to `on_taken` right after
  the commit, even if the caller has gone. The run's end statement ends the job with it
  (`runs.finish_execution`); a job whose run ended otherwise is ended by the same writer
  (`end_job`), with the other jobs that ended meanwhile.

The writer holds one connection of its own (`db.own_connection`), in autocommit: a batch is one
statement (atomic by itself), one round trip, prepared once. A connection idle for a while is
checked before use, and one that failed is replaced by the next batch.
"""

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg

from engine.model.resources import FlowStatus
from server.db.base import utcnow
from server.db.engine import database_gone
from server.db.own_connection import OwnConnection
from server.services.queue import END_RUN_JOBS_SQL, RUN_JOBS_SQL, run_job_columns

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Events one statement writes at most.
MAX_BATCH = 500
# The runs of a batch (one row each in `input`) that find their flow enabled with their
# version, and their jobs (RUN_JOBS_SQL reads `ready`): one statement. The batch comes as one
# JSON array with an array per run (`_run_row`): one text to send, where arrays of each column
# cost psycopg's list dumpers more than the statement.
_ACCEPT = f"""
WITH input AS (
    SELECT run->>0 AS run_id, run->>1 AS project_id, run->>2 AS flow_id, run->>3 AS version_id,
           run->4 AS payload, run->>5 AS job_queue, CAST(run->>6 AS integer) AS job_priority,
           CAST(run->7 AS jsonb) AS job_args, CAST(run->>8 AS bigint) AS worker
      FROM json_array_elements(CAST(%(runs)s AS json)) AS run
), queued AS (
    INSERT INTO flow_runs (id, project_id, flow_id, flow_version_id, status, trigger_payload,
                           execution, created, updated)
    SELECT input.run_id, input.project_id, input.flow_id, input.version_id, 'QUEUED',
           input.payload, 0, %(now)s, %(now)s
      FROM input
      JOIN flows ON flows.id = input.flow_id AND flows.project_id = input.project_id
                AND flows.status = '{FlowStatus.ENABLED.value}'
                AND flows.published_version_id = input.version_id
    RETURNING id
), ready AS (
    SELECT input.* FROM input JOIN queued ON queued.id = input.run_id
), jobs AS ({RUN_JOBS_SQL})
SELECT run_id, id AS job_id, taken FROM jobs
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRun:
    """A run to queue for a webhook event, of a published version."""

    id: str
    project_id: str
    flow_id: str
    version_id: str
    payload: Any
    #: A caller waits for it (a sync webhook): its job goes to the sync queue.
    sync: bool
    #: A worker's id: the job is written as taken by that worker (`JobQueue.run_taken_job`
    #: executes it), unless the worker is gone from the queue's table.
    take_with: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedRun:
    """A run written with its job."""

    run_id: str
    job_id: int
    #: The job was written as taken by the run's `take_with` worker.
    taken: bool


@dataclass(frozen=True, slots=True)
class _Event:
    runs: Sequence[NewRun]
    #: The runs' payloads as JSON, made as the event arrives: a payload that is not JSON fails
    #: its own call, not the batch it would have joined.
    payloads: list[str]
    answer: "asyncio.Future[list[QueuedRun] | None]"


class RunIntake:
    """Writes webhook events' runs and jobs, the events of the same moment together."""

    def __init__(self, conninfo: str) -> None:
        #: Called with each run whose job was written as taken, once it is committed (set by
        #: the process that runs them: its worker's engine pool).
        self.on_taken: Callable[[QueuedRun], None] | None = None
        self._ends: list[tuple[int, asyncio.Future[None]]] = []
        self._database = OwnConnection(conninfo)
        self._pending: list[_Event] = []
        self._writer: asyncio.Task[None] | None = None

    async def accept(self, runs: Sequence[NewRun]) -> list[QueuedRun] | None:
        """Writes the runs of one event with their jobs, all or none; None (nothing written)
        when their flow is no longer enabled with their version.

        Raises:
            psycopg.Error: the database refused the event, or could not be reached
                (`psycopg.OperationalError`).
            TypeError: a payload is not JSON (a trigger gave an item that is not).
        """
        payloads = [json.dumps(run.payload) for run in runs]
        answer: asyncio.Future[list[QueuedRun] | None] = asyncio.get_running_loop().create_future()
        self._pending.append(_Event(runs, payloads, answer))
        self._wake_writer()
        return await answer

    async def end_job(self, job_id: int) -> None:
        """Ends a taken job whose run ended (END_RUN_JOBS_SQL), with the next write.

        Raises:
            psycopg.Error: the database could not be reached.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ends.append((job_id, done))
        self._wake_writer()
        await done

    def _wake_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_pending(), name="run intake")

    async def close(self) -> None:
        """Waits for the events accepted so far to be written, then closes the connection."""
        if self._writer is not None:
            await self._writer
        await self._database.close()

    async def _write_pending(self) -> None:
        try:
            while self._pending or self._ends:
                if self._ends:
                    ends, self._ends = self._ends, []
                    await self._end_jobs(ends)
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
                if batch:
                    await self._write(batch)
        finally:
            self._writer = None

    async def _end_jobs(self, ends: list[tuple[int, "asyncio.Future[None]"]]) -> None:
        error: BaseException | None = None
        try:
            async with self._database.use() as connection:
                await connection.execute(END_RUN_JOBS_SQL, {"job_ids": [job for job, _ in ends]})
        except psycopg.Error as err:
            error = err
        for _, done in ends:
            _settle(done, result=None, error=error)

    async def _write(self, batch: list[_Event]) -> None:
        try:
            written = await self._write_together(batch)
        except psycopg.Error as err:
            if not database_gone(err) and len(batch) > 1:
                # One event's value failed the statement: each is written alone, so that only
                # the one at fault fails.
                for event in batch:
                    await self._write([event])
                return
            for event in batch:
                _settle(event.answer, result=None, error=err)
            return
        except Exception as err:
            log.exception("webhook events could not be written")
            for event in batch:
                _settle(event.answer, result=None, error=err)
            return
        for event in batch:
            queued = [written[run.id] for run in event.runs if run.id in written]
            _settle(event.answer, result=queued or None)
            for run in queued:
                if run.taken and self.on_taken is not None:
                    self.on_taken(run)

    async def _write_together(self, batch: list[_Event]) -> dict[str, QueuedRun]:
        rows = [
            _run_row(run, payload)
            for event in batch
            for run, payload in zip(event.runs, event.payloads, strict=True)
        ]
        params = {"runs": "[" + ",".join(rows) + "]", "now": utcnow()}
        async with self._database.use() as connection:
            found = await (await connection.execute(_ACCEPT, params)).fetchall()
        return {
            run_id: QueuedRun(run_id=run_id, job_id=int(job_id), taken=bool(taken))
            for run_id, job_id, taken in found
        }


def _run_row(run: NewRun, payload: str) -> str:
    """The run's row of `_ACCEPT`'s input, as JSON text around its payload's (already JSON)."""
    job = run_job_columns(run.id, sync=run.sync)
    ids = json.dumps([run.id, run.project_id, run.flow_id, run.version_id])
    return (
        f"{ids[:-1]},{payload},{json.dumps(job.queue)},{job.priority:d},{job.args},"
        f"{json.dumps(run.take_with)}]"
    )


def _settle(
    answer: "asyncio.Future[_T]", *, result: _T, error: BaseException | None = None
) -> None:
    """Gives a caller its answer (or its error), unless the caller has gone."""
    if answer.done():
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)
