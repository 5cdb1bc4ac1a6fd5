"""Flow runs: list with filters, read one with its steps, retry and cancel."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from engine.model import Model, RetryStrategy, RunStatus
from engine.model.resources import FlowRunRead, Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.services import run_outputs, run_retries, runs

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
async def get_run(
    run_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    rehydrate: Annotated[
        bool,
        Query(description="false: offloaded outputs stay references (load them from /output)."),
    ] = True,
) -> FlowRunRead:
    """A run with every step's input, output, status and duration, and the webhook response."""
    if not rehydrate:
        return await run_outputs.run_with_references(
            session=session, principal=principal, run_id=run_id
        )
    return await runs.get_run(session=session, principal=principal, run_id=run_id)


@router.get("/{run_id}/output", response_class=Response)
async def get_offloaded_output(
    run_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    ref: Annotated[str, Query(min_length=1, max_length=300)],
) -> Response:
    """One offloaded step output (the `$offloaded` reference of a run read with rehydrate=false)."""
    data = await run_outputs.offloaded_output(
        session=session, principal=principal, run_id=run_id, ref=ref
    )
    return Response(content=data, media_type="application/json")


class RetryRequest(Model):
    """How to retry a run."""

    strategy: RetryStrategy


@router.post("/{run_id}/retry", status_code=201)
async def retry_run(
    run_id: str,
    body: RetryRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    context: ContextDep,
) -> FlowRunRead:
    """Retries a run as a new run: FROM_FAILED_STEP keeps what succeeded (same flow version),
    ON_LATEST_VERSION runs the published version with the same trigger payload."""
    retry = await run_retries.retry_run(
        session, principal=principal, run_id=run_id, strategy=body.strategy
    )
    await context.queue.defer_run(retry.id, sync=False)
    return runs.to_read(retry)


@router.post("/{run_id}/cancel")
async def cancel_run(run_id: str, principal: CurrentPrincipal, session: SessionDep) -> FlowRunRead:
    """Cancels a queued or paused run; a running or ended one gives 409."""
    run = await run_retries.cancel_run(session, principal=principal, run_id=run_id)
    return runs.to_read(run)
