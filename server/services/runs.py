"""Flow runs: creating them from trigger events, their status changes, results and reads."""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import (
    ALLOWED_TRANSITIONS,
    OFFLOADED_KEY,
    Flow,
    RunResult,
    RunStatus,
    check_transition,
    report,
)
from engine.model.resources import FlowRunRead, Page
from server.db.base import new_id, utcnow
from server.db.models import (
    FlowRow,
    FlowRunRow,
    RunOutputRow,
)
from server.services.audit import AuditAction
from server.services.errors import NotFoundError
from server.services.frozen_versions import flow_version, kept_version
from server.services.live_events import CHANNEL as LIVE_CHANNEL
from server.services.live_events import encode
from server.services.pagination import seek_page
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.queue import RUN_TASK
from server.services.run_answers import RUN_FINISHED_CHANNEL, answer_message
from server.services.run_events import run_event_message
from server.services.run_logs import LastCheckpoint, entries_sql

log = logging.getLogger(__name__)


# The run statements below are psycopg's (`%(name)s` parameters, JSON as text cast in SQL): the
# engine runs `_LOCK_RUN`, `_START` and `_END` on a connection of its own (`db.own_connection`),
# and `finish_run` runs `_FINISH` on its session's connection (`exec_driver_sql`).

# A run, its project's row locked (starts within a project are serialized) and the pieces the
# project hides (the worker checks them per run). The first of a start's two statements.
_LOCK_RUN = """
SELECT run.id, run.project_id, run.flow_id, run.flow_version_id, run.status, run.trigger_payload,
       run.log_state, run.execution, run.created,
       (SELECT array_agg(hidden.piece_name) FROM project_hidden_pieces hidden
         WHERE hidden.project_id = run.project_id) AS hidden
  FROM flow_runs run JOIN projects project ON project.id = run.project_id
 WHERE run.id = %(run_id)s
   FOR UPDATE OF run, project
"""

# A QUEUED run's start, unless its project runs `limit` runs already: the row (the next
# execution number), its audit event and the live event, all taken from the row itself, so that
# this statement goes in the same round trip as `_LOCK_RUN`. The count is this statement's own
# (taken once the project's row is locked by `_LOCK_RUN`); the status is a literal, so that the
# active runs' index is read. The live event is `run_event_message`'s, built in SQL.
_START = """
WITH started AS (
    UPDATE flow_runs run
       SET status = 'RUNNING', started = %(now)s, execution = run.execution + 1,
           updated = %(now)s
     WHERE run.id = %(run_id)s AND run.status = 'QUEUED'
       AND (SELECT count(*) FROM flow_runs active
             WHERE active.project_id = run.project_id AND active.status = 'RUNNING') < %(limit)s
    RETURNING run.id, run.project_id, run.flow_id, run.flow_version_id
), audited AS (
    INSERT INTO audit_events (id, action, user_id, project_id, data, created)
    SELECT %(audit_id)s, %(action)s, NULL, project_id,
           json_build_object('flowRunId', id, 'flowId', flow_id, 'flowVersionId', flow_version_id),
           %(now)s
      FROM started
)
SELECT pg_notify(%(live_channel)s, json_build_object(
           'kind', 'run', 'projectId', project_id, 'runId', id,
           'event', json_build_object('type', 'RUN_STARTED', 'status', 'RUNNING',
                                      'flowId', flow_id))::text)
  FROM started
"""

# Whether another run of the project waits out a busy backoff (a job due later; see
# JobQueue.wake_next_run): a column of the end's statements.
_WAITING = """EXISTS (
    SELECT 1
      FROM procrastinate_jobs job
      JOIN flow_runs run ON run.id = job.args->>'run_id'
     WHERE job.task_name = %(task)s AND job.status = 'todo' AND job.scheduled_at > now()
       AND run.project_id = %(project_id)s AND run.status = 'QUEUED') AS waiting"""

# A run's end in one statement: the row, its audit event (not for a pause), the live event, the
# notification its sync callers wait for, and whether another run of its project waits out a
# busy backoff (a job due later; see JobQueue.wake_next_run). Data-modifying CTEs run to
# completion even though the SELECT reads neither.
_FINISH = f"""
WITH ended AS (
    UPDATE flow_runs
       SET status = %(status)s, result = CAST(%(result)s AS json), finished = %(finished)s,
           updated = %(now)s
     WHERE id = %(run_id)s
), audited AS (
    INSERT INTO audit_events (id, action, user_id, project_id, data, created)
    SELECT %(audit_id)s, %(action)s, NULL, %(project_id)s, CAST(%(audit_data)s AS json), %(now)s
     WHERE %(audit)s
)
SELECT pg_notify(%(live_channel)s, %(event)s) AS announced,
       pg_notify(%(channel)s, %(answer)s) AS notified,
       {_WAITING}
"""


# An execution's end with its last checkpoint in one statement (`finish_execution`): the run's
# row (its end and its log state, only while it is RUNNING under this execution's number), the
# last entries joined to that update, their step events, then what `_FINISH` does. It returns
# no row when the run is not this execution's any more (nothing is written then). The step
# events are sent before the run's own (the scalar subquery is read first). The entries and
# their events come as JSON arrays (one text each: cheaper to send than arrays of texts). A job
# taken for the run as it was queued (`job_id`, else NULL) ends with it: procrastinate's DELETE
# of a job that succeeded (`queue.END_RUN_JOBS_SQL`), joined to the run's update.
_END = f"""
WITH ended AS (
    UPDATE flow_runs
       SET status = %(status)s, result = CAST(%(result)s AS json), finished = %(finished)s,
           updated = %(now)s, log_state = CAST(%(state)s AS json)
     WHERE id = %(run_id)s AND execution = %(execution)s AND status = 'RUNNING'
    RETURNING id
), {entries_sql("ended")}, audited AS (
    INSERT INTO audit_events (id, action, user_id, project_id, data, created)
    SELECT %(audit_id)s, %(action)s, NULL, %(project_id)s, CAST(%(audit_data)s AS json), %(now)s
      FROM ended WHERE %(audit)s
), job_ended AS (
    DELETE FROM procrastinate_jobs job USING ended
     WHERE job.id = CAST(%(job_id)s AS bigint) AND job.status = 'doing'
    RETURNING job.id
)
SELECT (SELECT count(*) FROM stepped) AS stepped,
       pg_notify(%(live_channel)s, %(event)s) AS announced,
       pg_notify(%(channel)s, %(answer)s) AS notified,
       {_WAITING},
       EXISTS (SELECT 1 FROM job_ended) AS job_ended
  FROM ended
"""


async def create_run(
    session: AsyncSession, *, flow: FlowRow, version_id: str, payload: Any
) -> FlowRunRow:
    """Adds a QUEUED run of a flow version with a trigger payload (the caller commits and queues it)."""
    run = FlowRunRow(
        project_id=flow.project_id,
        flow_id=flow.id,
        flow_version_id=version_id,
        status=RunStatus.QUEUED,
        trigger_payload=payload,
    )
    session.add(run)
    await session.flush()
    return run


@dataclass(frozen=True, slots=True, kw_only=True)
class StartOutcome:
    """What starting a queued run gave: the run and its flow, or why it did not start."""

    run: FlowRunRow | None = None
    flow: Flow | None = None
    #: The project is at its concurrency limit: try again later; the run stays QUEUED.
    busy: bool = False
    #: A test run from the builder: its step outputs become sample data.
    testing: bool = False
    #: Pieces the run's project hides (the run fails if its flow uses one).
    hidden_pieces: frozenset[str] = frozenset()
    #: The flow reads connections (`FrozenVersion.uses_connections`).
    uses_connections: bool = False


async def start_run(
    connection: "psycopg.AsyncConnection[Any]",
    run_id: str,
    *,
    concurrency_limit: int,
    sessions: Callable[[], AsyncSession],
) -> StartOutcome:
    """Moves a QUEUED run to RUNNING unless its project already runs `concurrency_limit` runs.

    Starts within a project are serialized (its row is locked), so several workers never exceed
    the limit together. A run that is not QUEUED (a repeated job) gives an empty outcome. Two
    statements, `_LOCK_RUN` then `_START`, sent together in one pipeline on an autocommit
    `connection`: one round trip, one transaction (the Sync that ends the pipeline commits it).
    `sessions` reads the run's flow version when this process has not kept it.
    """
    now = utcnow()
    locked = connection.cursor(row_factory=dict_row)
    async with connection.pipeline():
        await locked.execute(_LOCK_RUN, {"run_id": run_id}, prepare=True)
        started = await connection.execute(
            _START,
            {
                "run_id": run_id,
                "now": now,
                "limit": concurrency_limit,
                "audit_id": new_id(),
                "action": AuditAction.FLOW_RUN_STARTED.value,
                "live_channel": LIVE_CHANNEL,
            },
            prepare=True,
        )
    found = await locked.fetchone()
    if found is None or found["status"] != RunStatus.QUEUED:
        return StartOutcome()
    if await started.fetchone() is None:  # the project runs its limit already
        return StartOutcome(busy=True)
    check_transition(RunStatus.QUEUED, RunStatus.RUNNING)
    version = kept_version(found["flow_version_id"])
    if version is None:
        async with sessions() as session:
            version = await flow_version(session, found["flow_version_id"])
    if version is None:  # deleted meanwhile, and its runs with it
        return StartOutcome()
    # The caller gets the row as it is after this start: not loaded, not attached to a session.
    run = FlowRunRow(
        id=found["id"],
        project_id=found["project_id"],
        flow_id=found["flow_id"],
        flow_version_id=found["flow_version_id"],
        status=RunStatus.RUNNING,
        trigger_payload=found["trigger_payload"],
        log_state=found["log_state"],
        started=now,
        # This execution's own: an older one's writes are refused from now on.
        execution=found["execution"] + 1,
        created=found["created"],
        updated=now,
    )
    return StartOutcome(
        run=run,
        flow=version.flow,
        testing=version.state == "TEST",
        hidden_pieces=frozenset(found["hidden"] or ()),
        uses_connections=version.uses_connections,
    )


async def finish_run(
    session: AsyncSession, run_id: str, result: RunResult, *, execution: int | None = None
) -> bool:
    """Stores a run's result and terminal status, and announces it to waiting webhook callers.

    With `execution`, only while the run's execution number is still that one: an execution
    whose run was started again elsewhere leaves the run to the new one. Two statements: the
    run's row locked and read, then its end written, audited and announced (`_FINISH`).

    Returns:
        Whether runs of the project wait out a busy backoff (then wake the next one).
    """
    run = (
        await session.execute(
            select(
                FlowRunRow.status, FlowRunRow.execution, FlowRunRow.project_id, FlowRunRow.flow_id
            )
            .where(FlowRunRow.id == run_id)
            .with_for_update()
        )
    ).one_or_none()
    if run is None:
        await session.rollback()
        return False
    if execution is not None and run.execution != execution:
        await session.rollback()
        log.warning("run %s was started again elsewhere; this execution's end is not kept", run_id)
        return False
    check_transition(RunStatus(run.status), result.status)
    connection = await session.connection()
    ended = await connection.exec_driver_sql(
        _FINISH, _end_params(run_id, result, project_id=run.project_id, flow_id=run.flow_id)
    )
    waiting = bool(ended.one().waiting)
    await session.commit()
    return waiting


@dataclass(frozen=True, slots=True)
class ExecutionEnd:
    """What an execution's end (`finish_execution`) wrote."""

    #: False: the run is not this execution's any more (nothing was written).
    kept: bool
    #: Runs of the project wait out a busy backoff (then wake the next one).
    others_wait: bool = False
    #: The run's taken job was ended with it.
    job_ended: bool = False


async def finish_execution(
    connection: "psycopg.AsyncConnection[Any]",
    run_id: str,
    result: RunResult,
    *,
    execution: int,
    project_id: str,
    flow_id: str,
    last: LastCheckpoint,
    job_id: int | None = None,
) -> ExecutionEnd:
    """`finish_run` for the execution that started the run, with the last checkpoint its run
    store held back (`PostgresRunStore.hold_last`): one statement (`_END`) on an autocommit
    `connection`, written only while the run is RUNNING under this execution's number. With
    `job_id` (a job this process's worker took as the run was queued), the job ends with it.
    """
    params = _end_params(run_id, result, project_id=project_id, flow_id=flow_id)
    params.update(last.params(), execution=execution, job_id=job_id)
    cursor = connection.cursor(row_factory=dict_row)
    ended = await (await cursor.execute(_END, params, prepare=True)).fetchone()
    if ended is None:
        log.warning("run %s was started again elsewhere; this execution's end is not kept", run_id)
        return ExecutionEnd(kept=False)
    return ExecutionEnd(kept=True, others_wait=ended["waiting"], job_ended=ended["job_ended"])


def _end_params(run_id: str, result: RunResult, *, project_id: str, flow_id: str) -> dict[str, Any]:
    """The parameters of a run's end (`_FINISH`, `_END`): the row, audit and events."""
    paused = result.status is RunStatus.PAUSED
    now = utcnow()
    event = {
        "type": "RUN_PAUSED" if paused else "RUN_FINISHED",
        "status": result.status,
        "flowId": flow_id,
        "duration": result.duration_ms,
        "error": (result.error_message or "")[:200] or None,
    }
    return {
        "run_id": run_id,
        "status": result.status.value,
        "result": result.model_dump_json(),
        "finished": None if paused else now,
        "now": now,
        "audit": not paused,
        "audit_id": new_id(),
        "action": AuditAction.FLOW_RUN_FINISHED.value,
        "project_id": project_id,
        "audit_data": json.dumps(
            {
                "flowRunId": run_id,
                "flowId": flow_id,
                "status": result.status,
                "duration": result.duration_ms,
            }
        ),
        "live_channel": LIVE_CHANNEL,
        "event": encode(run_event_message(project_id, run_id, event)),
        "channel": RUN_FINISHED_CHANNEL,
        "answer": answer_message(run_id, result),
        "task": RUN_TASK,
    }


async def end_run(
    session: AsyncSession, run_id: str, result: RunResult, *, only_if: RunStatus | None
) -> str | None:
    """Ends a run its engine could not finish (stopped past its memory or time, or never
    started), when its status is `only_if` (any that may end so, with None).

    Returns:
        The run's project id, or None when the run was left as it was.
    """
    row = (
        await session.execute(
            select(FlowRunRow.status, FlowRunRow.project_id).where(FlowRunRow.id == run_id)
        )
    ).one_or_none()
    if row is None:
        return None
    status = RunStatus(row.status)
    if (only_if is not None and status is not only_if) or (
        result.status not in ALLOWED_TRANSITIONS[status]
    ):
        return None
    await finish_run(session, run_id, result)
    return str(row.project_id)


async def requeue_stalled(session: AsyncSession, run_id: str) -> bool:
    """A RUNNING run whose worker died goes back to QUEUED, to be recovered from its log.

    Returns:
        Whether the run is QUEUED now (moved, or it was already): it needs a job.
    """
    run = await session.scalar(select(FlowRunRow).where(FlowRunRow.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.RUNNING:
        await session.rollback()
        return run is not None and run.status == RunStatus.QUEUED
    check_transition(RunStatus.RUNNING, RunStatus.QUEUED)
    run.status = RunStatus.QUEUED
    await session.commit()
    return True


async def get_run(*, session: AsyncSession, principal: Principal, run_id: str) -> FlowRunRead:
    """The run with its steps, if it is in a project the caller can access.

    Raises:
        NotFoundError: otherwise.
    """
    not_found = NotFoundError(f"No flow run {run_id!r}", code="FLOW_RUN_NOT_FOUND")
    run = await session.get(FlowRunRow, run_id)
    if run is None:
        raise not_found
    await require_permission(
        session, principal, run.project_id, Permission.READ_RUN, not_found=not_found
    )
    return await _rehydrated(session, to_read(run, with_steps=True))


async def _rehydrated(session: AsyncSession, run: FlowRunRead) -> FlowRunRead:
    """The run with step outputs that were moved out of the log put back in place."""
    if not run.steps:
        return run
    steps = dict(run.steps)
    for name, step in run.steps.items():
        output = step.output
        if isinstance(output, dict) and set(output) == {OFFLOADED_KEY, "size"}:
            data = await session.scalar(
                select(RunOutputRow.data).where(RunOutputRow.ref == str(output[OFFLOADED_KEY]))
            )
            if data is not None:
                steps[name] = step.model_copy(update={"output": json.loads(bytes(data))})
    return run.model_copy(update={"steps": steps})


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFilter:
    """Which runs of a project to list."""

    flow_id: str | None = None
    statuses: tuple[RunStatus, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None


async def list_runs(
    *,
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    where: RunFilter,
    limit: int,
    cursor: str | None,
) -> Page[FlowRunRead]:
    """A page of the project's runs, newest first, without their steps."""
    await require_permission(session, principal, project_id, Permission.READ_RUN)
    query = select(FlowRunRow).where(FlowRunRow.project_id == project_id)
    if where.flow_id:
        query = query.where(FlowRunRow.flow_id == where.flow_id)
    if where.statuses:
        query = query.where(FlowRunRow.status.in_([str(status) for status in where.statuses]))
    if where.created_after:
        query = query.where(FlowRunRow.created >= where.created_after)
    if where.created_before:
        query = query.where(FlowRunRow.created < where.created_before)
    page = await seek_page(
        session,
        query,
        created=FlowRunRow.created,
        row_id=FlowRunRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    return Page[FlowRunRead](
        data=[to_read(row[0]) for row in page.rows], next=page.next, previous=page.previous
    )


def to_read(run: FlowRunRow, *, with_steps: bool = False) -> FlowRunRead:
    """The API shape of a run."""
    summary = report(RunResult.model_validate(run.result)) if run.result else None
    return FlowRunRead(
        id=run.id,
        project_id=run.project_id,
        flow_id=run.flow_id,
        flow_version_id=run.flow_version_id,
        status=RunStatus(run.status),
        created=run.created,
        start_time=run.started,
        finish_time=run.finished,
        steps=(summary.steps if summary else {}) if with_steps else None,
        response=summary.response if summary else None,
        error=summary.error if summary else None,
        failed_step=summary.failed_step if summary else None,
        duration=summary.duration if summary else None,
        pause=summary.pause if summary and run.status == RunStatus.PAUSED else None,
    )


async def delete_finished_before(session: AsyncSession, *, before: datetime) -> int:
    """Deletes runs that finished before `before` (paused and unfinished runs stay); returns how many."""
    result = await session.execute(
        delete(FlowRunRow).where(FlowRunRow.finished.is_not(None), FlowRunRow.finished < before)
    )
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
