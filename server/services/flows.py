"""Flows: create, list, read, and apply edit operations."""

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, FlowLoadError, load_flow
from engine.model.operation_errors import FlowOperationError
from engine.model.operations import (
    DOCUMENT_OPERATIONS,
    ChangeStatusOperation,
    FlowOperation,
    LockAndPublishOperation,
    apply,
)
from engine.model.resources import FlowRead, FlowStatus, FlowVersionRead, FlowVersionState, Page
from server.db.base import utcnow
from server.db.models import FlowRow, FlowVersionRow
from server.services.auth import Principal
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.pagination import check_limit, decode_cursor, encode_cursor
from server.services.projects import require_member, require_visible


async def create_flow(
    *, session: AsyncSession, principal: Principal, project_id: str, display_name: str
) -> FlowRead:
    """Creates a flow with an empty draft in the project.

    Raises:
        NotFoundError: the caller cannot access the project.
    """
    await require_member(session, principal, project_id)
    flow = FlowRow(project_id=project_id, status=FlowStatus.DISABLED)
    session.add(flow)
    await session.flush()
    document = Flow(display_name=display_name)
    draft = FlowVersionRow(
        flow_id=flow.id,
        display_name=display_name,
        definition=document.model_dump(mode="json"),
        state="DRAFT",
    )
    session.add(draft)
    await session.commit()
    return to_read(flow, draft)


async def list_flows(
    *, session: AsyncSession, principal: Principal, project_id: str, limit: int, cursor: str | None
) -> Page[FlowRead]:
    """A page of the project's flows, newest first."""
    await require_member(session, principal, project_id)
    limit = check_limit(limit)
    query = select(FlowRow, FlowVersionRow).join(
        FlowVersionRow, and_(FlowVersionRow.flow_id == FlowRow.id, FlowVersionRow.state == "DRAFT")
    )
    query = query.where(FlowRow.project_id == project_id)
    backwards = False
    if cursor:
        direction, created, row_id = decode_cursor(cursor)
        backwards = direction == "p"
        if backwards:
            query = query.where(
                or_(
                    FlowRow.created > created, and_(FlowRow.created == created, FlowRow.id > row_id)
                )
            )
        else:
            query = query.where(
                or_(
                    FlowRow.created < created, and_(FlowRow.created == created, FlowRow.id < row_id)
                )
            )
    order = (
        (FlowRow.created.asc(), FlowRow.id.asc())
        if backwards
        else (FlowRow.created.desc(), FlowRow.id.desc())
    )
    rows = list((await session.execute(query.order_by(*order).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    items = [to_read(flow, draft) for flow, draft in rows]
    has_next = more if not backwards else bool(cursor)
    has_previous = bool(cursor) if not backwards else more
    return Page[FlowRead](
        data=items,
        next=encode_cursor(rows[-1][0].created, rows[-1][0].id, direction="n")
        if rows and has_next
        else None,
        previous=encode_cursor(rows[0][0].created, rows[0][0].id, direction="p")
        if rows and has_previous
        else None,
    )


async def get_flow(*, session: AsyncSession, principal: Principal, flow_id: str) -> FlowRead:
    """The flow with its draft.

    Raises:
        NotFoundError: no such flow in a project the caller can access.
    """
    flow, draft = await _load(session, principal, flow_id)
    return to_read(flow, draft)


async def apply_operation(
    *, session: AsyncSession, principal: Principal, flow_id: str, operation: FlowOperation
) -> FlowRead:
    """Applies an edit operation to the flow (its draft, or its published state).

    Raises:
        NotFoundError: no such flow in a project the caller can access.
        InvalidRequestError: the operation's content is wrong (an invalid document, an edit that
            would break the flow, nothing to publish).
    """
    flow, draft = await _load(session, principal, flow_id)
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
        await _publish(session, flow, draft)
    elif isinstance(operation, ChangeStatusOperation):
        if operation.request.status == FlowStatus.ENABLED and flow.published_version_id is None:
            raise InvalidRequestError(
                "Publish the flow before turning it on", code="FLOW_NOT_PUBLISHED"
            )
        flow.status = operation.request.status
    flow.updated = utcnow()
    await session.commit()
    return to_read(flow, draft)


async def _publish(session: AsyncSession, flow: FlowRow, draft: FlowVersionRow) -> None:
    document = load_flow(draft.definition)
    if document.trigger.type == "EMPTY":
        raise InvalidRequestError("Choose a trigger before publishing", code="FLOW_NOT_PUBLISHABLE")
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


async def _load(
    session: AsyncSession, principal: Principal, flow_id: str
) -> tuple[FlowRow, FlowVersionRow]:
    not_found = NotFoundError(f"No flow {flow_id!r}", code="FLOW_NOT_FOUND")
    flow = await session.get(FlowRow, flow_id)
    if flow is None:
        raise not_found
    await require_visible(session, principal, flow.project_id, not_found=not_found)
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
