"""Flows: create, list, read, edit through operations, duplicate, delete, versions and export."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from engine.model.operations import FlowOperation
from engine.model.resources import FlowRead, FlowStatus, FlowVersionRead, Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.api.schemas import FlowCreate
from server.context import poll_settings, trigger_environment
from server.services import flows
from server.services.code_checks import code_checker

router = APIRouter(prefix="/flows", tags=["flows"])


@router.post("", status_code=201)
async def create_flow(
    body: FlowCreate, principal: CurrentPrincipal, session: SessionDep
) -> FlowRead:
    """Creates a flow with an empty draft, optionally in a folder."""
    return await flows.create_flow(
        session=session,
        principal=principal,
        project_id=body.project_id,
        display_name=body.display_name,
        folder_id=body.folder_id,
    )


@router.get("")
async def list_flows(
    principal: CurrentPrincipal,
    session: SessionDep,
    project_id: Annotated[str, Query(alias="projectId")],
    status: FlowStatus | None = None,
    name: Annotated[str | None, Query(description="Part of the flow's name, any case.")] = None,
    folder_id: Annotated[str | None, Query(alias="folderId")] = None,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[FlowRead]:
    """A page of the project's flows, newest first."""
    where = flows.FlowFilter(status=status, name=name, folder_id=folder_id)
    return await flows.list_flows(
        session=session,
        principal=principal,
        project_id=project_id,
        limit=limit,
        cursor=cursor,
        where=where,
    )


@router.get("/{flow_id}")
async def get_flow(
    flow_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    version_id: Annotated[str | None, Query(alias="versionId")] = None,
) -> FlowRead:
    """The flow with its draft, or with the version `versionId`."""
    return await flows.get_flow(
        session=session, principal=principal, flow_id=flow_id, version_id=version_id
    )


@router.post("/{flow_id}")
async def apply_operation(
    flow_id: str,
    operation: Annotated[FlowOperation, Body()],
    principal: CurrentPrincipal,
    session: SessionDep,
    context: ContextDep,
) -> FlowRead:
    """Applies one operation `{type, request}` (IMPORT_FLOW, ADD_ACTION, LOCK_AND_PUBLISH, CHANGE_FOLDER, ...)."""
    return await flows.apply_operation(
        session=session,
        principal=principal,
        flow_id=flow_id,
        operation=operation,
        registry=context.registry,
        check_code=code_checker(context.run_executor.executor.code_runtime),
        trigger_environment=trigger_environment(context),
        personal_allowed=context.settings.personal_piece_allowed,
        poll_interval=poll_settings(context.settings).interval,
    )


@router.delete("/{flow_id}", status_code=204)
async def delete_flow(
    flow_id: str, principal: CurrentPrincipal, session: SessionDep, context: ContextDep
) -> Response:
    """Deletes the flow, its versions, its runs and their files, turning its trigger off first."""
    await flows.delete_flow(
        session=session,
        principal=principal,
        flow_id=flow_id,
        registry=context.registry,
        trigger_environment=trigger_environment(context),
        storage=context.file_storage,
    )
    return Response(status_code=204)


@router.post("/{flow_id}/duplicate", status_code=201)
async def duplicate_flow(
    flow_id: str, principal: CurrentPrincipal, session: SessionDep
) -> FlowRead:
    """A disabled copy of the flow's draft named "Copy of …"."""
    return await flows.duplicate_flow(session=session, principal=principal, flow_id=flow_id)


@router.get("/{flow_id}/versions")
async def list_versions(
    flow_id: str, principal: CurrentPrincipal, session: SessionDep
) -> Page[FlowVersionRead]:
    """The draft and every published version, newest first."""
    return await flows.list_versions(session=session, principal=principal, flow_id=flow_id)


@router.get("/{flow_id}/export")
async def export_flow(
    flow_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    version_id: Annotated[str | None, Query(alias="versionId")] = None,
) -> dict[str, Any]:
    """The flow document (draft, or `versionId`), ready for IMPORT_FLOW; it never holds connection values."""
    flow = await flows.get_flow(
        session=session, principal=principal, flow_id=flow_id, version_id=version_id
    )
    return flow.version.definition.model_dump(mode="json")
