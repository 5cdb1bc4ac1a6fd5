"""Flow runs: list with filters, read one with its steps."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from engine.model import RunStatus
from engine.model.resources import FlowRunRead, Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import runs

router = APIRouter(prefix="/flow-runs", tags=["flow-runs"])


@router.get("")
async def list_runs(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    flow_id: Annotated[str | None, Query(alias="flowId")] = None,
    status: Annotated[
        list[RunStatus] | None, Query(description="Repeat to match several statuses.")
    ] = None,
    created_after: Annotated[datetime | None, Query(alias="createdAfter")] = None,
    created_before: Annotated[datetime | None, Query(alias="createdBefore")] = None,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[FlowRunRead]:
    """A page of the project's runs, newest first (without step details)."""
    where = runs.RunFilter(
        flow_id=flow_id,
        statuses=tuple(status or ()),
        created_after=created_after,
        created_before=created_before,
    )
    return await runs.list_runs(
        session=session,
        principal=principal,
        project_id=project_id,
        where=where,
        limit=limit,
        cursor=cursor,
    )


@router.get("/{run_id}")
async def get_run(run_id: str, principal: CurrentPrincipal, session: SessionDep) -> FlowRunRead:
    """A run with every step's input, output, status and duration, and the webhook response."""
    return await runs.get_run(session=session, principal=principal, run_id=run_id)
