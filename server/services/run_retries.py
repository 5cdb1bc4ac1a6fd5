"""Retrying and canceling runs.

A retry is a new run (a run's terminal status never changes): FROM_FAILED_STEP copies the
failed run's log up to its failed step, so the new run reuses what succeeded and re-runs the
rest on the same flow version; ON_LATEST_VERSION starts the published version afresh with the
same trigger payload.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import (
    RetryError,
    RetryStrategy,
    RunResult,
    RunStatus,
    check_transition,
    log_for_retry,
)
from server.db.base import utcnow
from server.db.models import FlowRow, FlowRunRow
from server.services.errors import ConflictError, NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.run_logs import load_log, write_log
from server.services.runs import create_run


async def retry_run(
    session: AsyncSession, *, principal: Principal, run_id: str, strategy: RetryStrategy
) -> FlowRunRow:
    """Creates and returns the QUEUED retry of a run (the caller queues it).

    Raises:
        NotFoundError: no such run in a project the caller can see, or (ON_LATEST_VERSION)
            the flow is not published.
        ConflictError: the run cannot be retried from its failed step (e.g. it succeeded).
    """
    run = await _run(session, principal, run_id, Permission.WRITE_RUN)
    flow = await session.get(FlowRow, run.flow_id)
    if flow is None:
        raise NotFoundError(f"The flow of run {run_id} is gone", code="FLOW_NOT_FOUND")
    if strategy is RetryStrategy.ON_LATEST_VERSION:
        if flow.published_version_id is None:
            raise NotFoundError(
                "The flow has no published version; publish it to retry on the latest version",
                code="FLOW_NOT_PUBLISHED",
            )
        retry = await create_run(
            session, flow=flow, version_id=flow.published_version_id, payload=run.trigger_payload
        )
        await session.commit()
        return retry
    try:
        log = log_for_retry(await load_log(session, run_id))
    except RetryError as err:
        raise ConflictError(str(err), code=RetryError.code) from err
    retry = await create_run(
        session, flow=flow, version_id=run.flow_version_id, payload=run.trigger_payload
    )
    await write_log(session, retry.id, log)
    await session.commit()
    return retry


async def cancel_run(session: AsyncSession, *, principal: Principal, run_id: str) -> FlowRunRow:
    """Cancels a QUEUED or PAUSED run.

    Raises:
        NotFoundError: no such run in a project the caller can see.
        ConflictError: the run is running or already ended.
    """
    run = await _run(session, principal, run_id, Permission.WRITE_RUN, lock=True)
    status = RunStatus(run.status)
    if status not in (RunStatus.QUEUED, RunStatus.PAUSED):
        hint = "wait for it to end" if status is RunStatus.RUNNING else "it already ended"
        raise ConflictError(f"Run {run_id} is {status}; {hint}", code="RUN_NOT_CANCELABLE")
    check_transition(status, RunStatus.CANCELED)
    run.status = RunStatus.CANCELED
    run.finished = utcnow()
    previous = RunResult.model_validate(run.result) if run.result else RunResult(status=status)
    run.result = previous.model_copy(
        update={"status": RunStatus.CANCELED, "error_message": "Canceled", "pause": None}
    ).model_dump(mode="json")
    await session.commit()
    return run


async def _run(
    session: AsyncSession,
    principal: Principal,
    run_id: str,
    permission: Permission,
    *,
    lock: bool = False,
) -> FlowRunRow:
    not_found = NotFoundError(f"No flow run {run_id!r}", code="FLOW_RUN_NOT_FOUND")
    query = select(FlowRunRow).where(FlowRunRow.id == run_id)
    run = await session.scalar(query.with_for_update() if lock else query)
    if run is None:
        raise not_found
    await require_permission(session, principal, run.project_id, permission, not_found=not_found)
    return run
