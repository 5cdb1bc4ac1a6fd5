"""Step outputs moved out of a run's log, read one at a time (the desktop loads them on demand)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import FlowRunRead
from server.db.models import FlowRunRow, RunOutputRow
from server.services.errors import NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.runs import to_read


async def run_with_references(
    *, session: AsyncSession, principal: Principal, run_id: str
) -> FlowRunRead:
    """The run with its steps as logged: an offloaded output stays `{"$offloaded": ref, "size"}`.

    Raises:
        NotFoundError: no such run in a project the caller can access.
    """
    run = await _readable_run(session, principal, run_id)
    return to_read(run, with_steps=True)


async def offloaded_output(
    *, session: AsyncSession, principal: Principal, run_id: str, ref: str
) -> bytes:
    """The JSON of one offloaded output of the run.

    Raises:
        NotFoundError: no such run for the caller, or the run has no output stored under `ref`.
    """
    await _readable_run(session, principal, run_id)
    data = await session.scalar(
        select(RunOutputRow.data).where(RunOutputRow.ref == ref, RunOutputRow.run_id == run_id)
    )
    if data is None:
        raise NotFoundError(
            f"Run {run_id!r} has no stored output {ref!r}", code="RUN_OUTPUT_NOT_FOUND"
        )
    return bytes(data)


async def _readable_run(session: AsyncSession, principal: Principal, run_id: str) -> FlowRunRow:
    not_found = NotFoundError(f"No flow run {run_id!r}", code="FLOW_RUN_NOT_FOUND")
    run = await session.get(FlowRunRow, run_id)
    if run is None:
        raise not_found
    await require_permission(
        session, principal, run.project_id, Permission.READ_RUN, not_found=not_found
    )
    return run
