"""Flows: create, list, read, and edit through operations."""

from typing import Annotated

from fastapi import APIRouter, Body, Query

from engine.model.operations import FlowOperation
from engine.model.resources import FlowRead, Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.api.schemas import FlowCreate
from server.services import flows

router = APIRouter(prefix="/flows", tags=["flows"])


@router.post("", status_code=201)
async def create_flow(
    body: FlowCreate, principal: CurrentPrincipal, session: SessionDep
) -> FlowRead:
    """Creates a flow with an empty draft."""
    return await flows.create_flow(
        session=session,
        principal=principal,
        project_id=body.project_id,
        display_name=body.display_name,
    )


@router.get("")
async def list_flows(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    limit: int = 10,
    cursor: str | None = None,
) -> Page[FlowRead]:
    """A page of the project's flows, newest first."""
    return await flows.list_flows(
        session=session, principal=principal, project_id=project_id, limit=limit, cursor=cursor
    )


@router.get("/{flow_id}")
async def get_flow(flow_id: str, principal: CurrentPrincipal, session: SessionDep) -> FlowRead:
    """The flow with its draft."""
    return await flows.get_flow(session=session, principal=principal, flow_id=flow_id)


@router.post("/{flow_id}")
async def apply_operation(
    flow_id: str,
    operation: Annotated[FlowOperation, Body()],
    principal: CurrentPrincipal,
    session: SessionDep,
) -> FlowRead:
    """Applies one operation `{type, request}` (DESIGN.md section 3), e.g. ADD_ACTION or LOCK_AND_PUBLISH."""
    return await flows.apply_operation(
        session=session, principal=principal, flow_id=flow_id, operation=operation
    )
