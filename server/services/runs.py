"""Flow runs: creating them from trigger events, their status changes, results and reads."""

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, RunResult, RunStatus, check_transition, load_flow
from engine.model.resources import FlowRunRead, FlowStatus
from server.db.base import utcnow
from server.db.models import FlowRow, FlowRunRow, FlowVersionRow
from server.services.errors import NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal

#: NOTIFY channel a run's id is sent on when it reaches a terminal status.
RUN_FINISHED_CHANNEL = "pw_run_finished"


async def create_webhook_run(*, session: AsyncSession, flow_id: str, payload: Any) -> FlowRunRow:
    """Records a QUEUED run of the flow's published version for a webhook request.

    Raises:
        NotFoundError: no such flow, or it is not published and enabled (nothing is queued).
    """
    flow = await session.get(FlowRow, flow_id)
    if flow is None or flow.published_version_id is None or flow.status != FlowStatus.ENABLED:
        raise NotFoundError(
            "No enabled flow listens at this webhook URL; publish the flow and turn it on",
            code="FLOW_NOT_FOUND",
        )
    run = FlowRunRow(
        project_id=flow.project_id,
        flow_id=flow.id,
        flow_version_id=flow.published_version_id,
        status=RunStatus.QUEUED,
        trigger_payload=payload,
    )
    session.add(run)
    await session.commit()
    return run


async def start_run(session: AsyncSession, run_id: str) -> tuple[FlowRunRow, Flow] | None:
    """Moves a QUEUED run to RUNNING and returns it with its flow; None if it is not QUEUED (a repeated job)."""
    run = await session.scalar(select(FlowRunRow).where(FlowRunRow.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.QUEUED:
        return None
    version = await session.get(FlowVersionRow, run.flow_version_id)
    if version is None:
        return None
    check_transition(RunStatus(run.status), RunStatus.RUNNING)
    run.status = RunStatus.RUNNING
    run.started = utcnow()
    await session.commit()
    return run, load_flow(version.definition)


async def finish_run(session: AsyncSession, run_id: str, result: RunResult) -> None:
    """Stores a run's result and terminal status, and announces it to waiting webhook callers."""
    run = await session.scalar(select(FlowRunRow).where(FlowRunRow.id == run_id).with_for_update())
    if run is None:
        return
    check_transition(RunStatus(run.status), result.status)
    run.status = result.status
    run.result = result.model_dump(mode="json")
    run.finished = utcnow()
    await session.execute(
        text("SELECT pg_notify(:channel, :run_id)"),
        {"channel": RUN_FINISHED_CHANNEL, "run_id": run_id},
    )
    await session.commit()


async def read_run(session: AsyncSession, run_id: str) -> FlowRunRead | None:
    """The run, with no access check (for the server's own webhook path)."""
    run = await session.get(FlowRunRow, run_id, populate_existing=True)
    return None if run is None else to_read(run)


async def get_run(*, session: AsyncSession, principal: Principal, run_id: str) -> FlowRunRead:
    """The run, if it is in a project the caller can access.

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
    return to_read(run)


def to_read(run: FlowRunRow) -> FlowRunRead:
    """The API shape of a run."""
    return FlowRunRead(
        id=run.id,
        project_id=run.project_id,
        flow_id=run.flow_id,
        flow_version_id=run.flow_version_id,
        status=RunStatus(run.status),
        result=RunResult.model_validate(run.result) if run.result else None,
        created=run.created,
        started=run.started,
        finished=run.finished,
    )
