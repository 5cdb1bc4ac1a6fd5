"""Flows: create, list, read, and apply edit operations."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, FlowLoadError, load_flow, validate
from engine.model.operation_errors import FlowOperationError
from engine.model.operations import (
    DOCUMENT_OPERATIONS,
    ChangeFolderOperation,
    ChangeStatusOperation,
    FlowOperation,
    LockAndPublishOperation,
    apply,
)
from engine.model.resources import FlowRead, FlowStatus, FlowVersionRead, FlowVersionState, Page
from pieces.framework import PieceRegistry
from server.db.base import utcnow
from server.db.models import FlowRow, FlowVersionRow, FolderRow
from server.services.audit import AuditAction, record
from server.services.code_checks import CodeChecker, code_problems
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.live_events import publish_flow_event
from server.services.pagination import seek_page
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.schedules import TriggerEnvironment, sync_trigger


async def create_flow(
    *,
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    display_name: str,
    folder_id: str | None = None,
    document: Flow | None = None,
) -> FlowRead:
    """Creates a flow in the project (and folder) with an empty draft, or `document` as its draft.

    Raises:
        NotFoundError: the caller cannot access the project, or the folder is not in it.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_FLOW)
    flow = FlowRow(project_id=project_id, status=FlowStatus.DISABLED)
    await _check_folder(session, flow, folder_id)
    flow.folder_id = folder_id
    session.add(flow)
    await session.flush()
    document = (
        Flow(display_name=display_name)
        if document is None
        else document.model_copy(update={"display_name": display_name})
    )
    draft = FlowVersionRow(
        flow_id=flow.id,
        display_name=display_name,
        definition=document.model_dump(mode="json"),
        state="DRAFT",
    )
    session.add(draft)
    await _changed(
        session,
        AuditAction.FLOW_CREATED,
        principal=principal,
        project_id=project_id,
        data={"flowId": flow.id, "flowName": display_name},
    )
    await session.commit()
    return to_read(flow, draft)


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowFilter:
    """Which flows of a project to list."""

    status: FlowStatus | None = None
    name: str | None = None
    folder_id: str | None = None


async def list_flows(
    *,
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    limit: int,
    cursor: str | None,
    where: FlowFilter | None = None,
) -> Page[FlowRead]:
    """A page of the project's flows, newest first; `where` narrows it by status, name or folder."""
    await require_permission(session, principal, project_id, Permission.READ_FLOW)
    query = select(FlowRow, FlowVersionRow).join(
        FlowVersionRow, and_(FlowVersionRow.flow_id == FlowRow.id, FlowVersionRow.state == "DRAFT")
    )
    query = query.where(FlowRow.project_id == project_id)
    if where and where.status:
        query = query.where(FlowRow.status == where.status)
    if where and where.name:
        query = query.where(FlowVersionRow.display_name.icontains(where.name, autoescape=True))
    if where and where.folder_id:
        query = query.where(FlowRow.folder_id == where.folder_id)
    page = await seek_page(
        session,
        query,
        created=FlowRow.created,
        row_id=FlowRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    return Page[FlowRead](
        data=[to_read(flow, draft) for flow, draft in page.rows],
        next=page.next,
        previous=page.previous,
    )


async def get_flow(
    *, session: AsyncSession, principal: Principal, flow_id: str, version_id: str | None = None
) -> FlowRead:
    """The flow with its draft, or with the version `version_id`.

    Raises:
        NotFoundError: no such flow in a project the caller can access, or no such version of it.
    """
    flow, draft = await _load(session, principal, flow_id, Permission.READ_FLOW)
    if version_id is None or version_id == draft.id:
        return to_read(flow, draft)
    version = await session.get(FlowVersionRow, version_id)
    if version is None or version.flow_id != flow.id:
        raise NotFoundError(
            f"Flow {flow_id!r} has no version {version_id!r}", code="FLOW_VERSION_NOT_FOUND"
        )
    return to_read(flow, version)


async def list_versions(
    *, session: AsyncSession, principal: Principal, flow_id: str
) -> Page[FlowVersionRead]:
    """Every version of the flow, newest first: the draft and each published (locked) one."""
    await _load(session, principal, flow_id, Permission.READ_FLOW)
    rows = await session.scalars(
        select(FlowVersionRow)
        .where(FlowVersionRow.flow_id == flow_id, FlowVersionRow.state != "TEST")
        .order_by(FlowVersionRow.created.desc(), FlowVersionRow.id)
    )
    return Page[FlowVersionRead](data=[version_read(row) for row in rows])


async def apply_operation(
    *,
    session: AsyncSession,
    principal: Principal,
    flow_id: str,
    operation: FlowOperation,
    registry: PieceRegistry,
    check_code: CodeChecker | None = None,
    trigger_environment: TriggerEnvironment | None = None,
) -> FlowRead:
    """Applies an edit operation to the flow (its draft, or its published state).

    Raises:
        NotFoundError: no such flow in a project the caller can access.
        InvalidRequestError: the operation's content is wrong (an invalid document, an edit that
            would break the flow, nothing to publish).
    """
    needed = (
        Permission.UPDATE_FLOW_STATUS
        if isinstance(operation, LockAndPublishOperation | ChangeStatusOperation)
        else Permission.WRITE_FLOW
    )
    flow, draft = await _load(session, principal, flow_id, needed)
    if isinstance(operation, DOCUMENT_OPERATIONS):
        try:
            document = apply(load_flow(draft.definition), operation)
        except FlowLoadError as err:
            problems = [{"path": p.path, "message": p.message} for p in err.problems]
            raise InvalidRequestError(
                f"The flow is not valid: {err}", code="INVALID_FLOW", params={"problems": problems}
            ) from err
        except FlowOperationError as err:
            raise InvalidRequestError(
                f"{operation.type} cannot be applied: {err.message}",
                code=err.code,
                params={"step": err.step, "field": err.field},
            ) from err
        draft.definition = document.model_dump(mode="json")
        draft.display_name = document.display_name
        draft.updated = utcnow()
    elif isinstance(operation, LockAndPublishOperation):
        await _publish(session, flow, draft, registry=registry, check_code=check_code)
    elif isinstance(operation, ChangeFolderOperation):
        await _check_folder(session, flow, operation.request.folder_id)
        flow.folder_id = operation.request.folder_id
    elif isinstance(operation, ChangeStatusOperation):
        if operation.request.status == FlowStatus.ENABLED and flow.published_version_id is None:
            raise InvalidRequestError(
                "Publish the flow before turning it on", code="FLOW_NOT_PUBLISHED"
            )
        flow.status = operation.request.status
    if isinstance(operation, LockAndPublishOperation | ChangeStatusOperation):
        await sync_trigger(session, registry=registry, flow=flow, environment=trigger_environment)
    flow.updated = utcnow()
    await _changed(
        session,
        _audit_action(operation),
        principal=principal,
        project_id=flow.project_id,
        data={"flowId": flow.id, "flowName": draft.display_name, "operation": operation.type},
    )
    await session.commit()
    return to_read(flow, draft)


async def delete_flow(*, session: AsyncSession, principal: Principal, flow_id: str) -> None:
    """Deletes a flow with its versions and runs; its webhook stops answering at once.

    Raises:
        NotFoundError: no such flow in a project the caller can access.
    """
    flow, draft = await _load(session, principal, flow_id, Permission.WRITE_FLOW)
    await _changed(
        session,
        AuditAction.FLOW_DELETED,
        principal=principal,
        project_id=flow.project_id,
        data={"flowId": flow.id, "flowName": draft.display_name},
    )
    await session.delete(flow)
    await session.commit()


async def duplicate_flow(*, session: AsyncSession, principal: Principal, flow_id: str) -> FlowRead:
    """A new, disabled flow named "Copy of …" with a copy of the draft (not its runs or publications).

    Raises:
        NotFoundError: no such flow in a project the caller can access.
    """
    flow, draft = await _load(session, principal, flow_id, Permission.WRITE_FLOW)
    copy = FlowRow(project_id=flow.project_id, status=FlowStatus.DISABLED, folder_id=flow.folder_id)
    session.add(copy)
    await session.flush()
    name = f"Copy of {draft.display_name}"[:200]
    definition = {**draft.definition, "displayName": name}
    copy_draft = FlowVersionRow(
        flow_id=copy.id, display_name=name, definition=definition, state="DRAFT"
    )
    session.add(copy_draft)
    await _changed(
        session,
        AuditAction.FLOW_CREATED,
        principal=principal,
        project_id=flow.project_id,
        data={"flowId": copy.id, "flowName": name, "duplicateOf": flow.id},
    )
    await session.commit()
    return to_read(copy, copy_draft)


_LIVE_TYPES = {AuditAction.FLOW_CREATED: "FLOW_CREATED", AuditAction.FLOW_DELETED: "FLOW_DELETED"}


async def _changed(
    session: AsyncSession,
    action: AuditAction,
    *,
    principal: Principal,
    project_id: str,
    data: dict[str, Any],
) -> None:
    """Records the change in the audit log and announces it to live subscribers (on commit)."""
    record(session, action, user_id=principal.user_id, project_id=project_id, data=data)
    event = {"type": _LIVE_TYPES.get(action, "FLOW_UPDATED"), "action": action, **data}
    await publish_flow_event(session, project_id, str(data["flowId"]), event)


def _audit_action(operation: FlowOperation) -> AuditAction:
    if isinstance(operation, LockAndPublishOperation):
        return AuditAction.FLOW_PUBLISHED
    if isinstance(operation, ChangeStatusOperation):
        enabled = operation.request.status == FlowStatus.ENABLED
        return AuditAction.FLOW_ACTIVATED if enabled else AuditAction.FLOW_DEACTIVATED
    return AuditAction.FLOW_UPDATED


async def _check_folder(session: AsyncSession, flow: FlowRow, folder_id: str | None) -> None:
    if folder_id is None:
        return
    folder = await session.get(FolderRow, folder_id)
    if folder is None or folder.project_id != flow.project_id:
        raise NotFoundError(
            f"No folder {folder_id!r} in this flow's project", code="FOLDER_NOT_FOUND"
        )


async def _publish(
    session: AsyncSession,
    flow: FlowRow,
    draft: FlowVersionRow,
    *,
    registry: PieceRegistry,
    check_code: CodeChecker | None = None,
) -> None:
    document = load_flow(draft.definition)
    if document.trigger.type == "EMPTY":
        raise InvalidRequestError("Choose a trigger before publishing", code="FLOW_NOT_PUBLISHABLE")
    problems = validate(document, pieces=_installed(registry))
    if check_code is not None:
        problems += await code_problems(document, check_code)
    if problems:
        listed = "; ".join(f"{p.step}.{p.field}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InvalidRequestError(
            f"The flow cannot be published until these are fixed: {listed}{more}",
            code="FLOW_INVALID",
            params={"problems": [p.model_dump(mode="json") for p in problems]},
        )
    locked = FlowVersionRow(
        flow_id=flow.id,
        display_name=draft.display_name,
        definition=draft.definition,
        state="LOCKED",
    )
    session.add(locked)
    await session.flush()
    flow.published_version_id = locked.id
    flow.status = FlowStatus.ENABLED


def _installed(registry: PieceRegistry) -> dict[str, set[str]]:
    """Each installed piece's action and trigger names, over all its versions."""
    found: dict[str, set[str]] = {}
    for name in registry.names():
        names = found.setdefault(name, set())
        for version in registry.versions_of(name):
            piece = registry.get(name, version)
            names.update(a.name for a in piece.actions)
            names.update(t.name for t in piece.triggers)
    return found


async def load_with_draft(
    session: AsyncSession, principal: Principal, flow_id: str, permission: Permission
) -> tuple[FlowRow, FlowVersionRow]:
    """The flow and its draft, if the caller may do `permission` in its project.

    Raises:
        NotFoundError: no such flow in a project the caller can access.
        PermissionDeniedError: the caller's role does not allow `permission`.
    """
    return await _load(session, principal, flow_id, permission)


async def _load(
    session: AsyncSession, principal: Principal, flow_id: str, permission: Permission
) -> tuple[FlowRow, FlowVersionRow]:
    not_found = NotFoundError(f"No flow {flow_id!r}", code="FLOW_NOT_FOUND")
    flow = await session.get(FlowRow, flow_id)
    if flow is None:
        raise not_found
    await require_permission(session, principal, flow.project_id, permission, not_found=not_found)
    draft = await session.scalar(
        select(FlowVersionRow).where(
            FlowVersionRow.flow_id == flow_id, FlowVersionRow.state == "DRAFT"
        )
    )
    if draft is None:
        raise NotFoundError(f"Flow {flow_id!r} has no draft version", code="FLOW_NOT_FOUND")
    return flow, draft


def to_read(flow: FlowRow, version: FlowVersionRow) -> FlowRead:
    """The API shape of a flow and one of its versions."""
    return FlowRead(
        id=flow.id,
        project_id=flow.project_id,
        folder_id=flow.folder_id,
        status=FlowStatus(flow.status),
        published_version_id=flow.published_version_id,
        version=version_read(version),
        created=flow.created,
        updated=flow.updated,
    )


def version_read(version: FlowVersionRow) -> FlowVersionRead:
    """The API shape of a flow version."""
    definition: dict[str, Any] = version.definition
    return FlowVersionRead(
        id=version.id,
        flow_id=version.flow_id,
        display_name=version.display_name,
        state=FlowVersionState(version.state),
        definition=load_flow(definition),
        created=version.created,
        updated=version.updated,
    )
