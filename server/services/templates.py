"""Templates: flow documents shared with the whole platform, made from a flow or imported
(our format or an Activepieces template), and turned into new flows."""

import json
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, FlowLoadError, load_flow
from engine.model.activepieces import is_activepieces_document, load_activepieces
from engine.model.resources import FlowRead
from server.db.models import TemplateRow, UserRow
from server.services import flows
from server.services.errors import InvalidRequestError, NotFoundError, PermissionDeniedError
from server.services.pagination import seek_page
from server.services.permissions import Permission
from server.services.principal import Principal
from server.services.resources import TemplateRead


def parse_document(document: Any) -> Flow:
    """A flow from a template's document: ours, or an Activepieces export or template.

    Raises:
        InvalidRequestError: the document is not a valid flow, with its problems.
    """
    try:
        if is_activepieces_document(document):
            return load_activepieces(document)
        return load_flow(document)
    except FlowLoadError as err:
        problems = [{"path": p.path, "message": p.message} for p in err.problems]
        raise InvalidRequestError(
            f"The template's flow is not valid: {err}",
            code="INVALID_FLOW",
            params={"problems": problems},
        ) from err


async def create_template(
    *,
    session: AsyncSession,
    principal: Principal,
    display_name: str | None,
    description: str,
    tags: list[str],
    flow_id: str | None,
    document: Any,
) -> TemplateRead:
    """Creates a template from a flow's draft (`flow_id`) or from a document.

    Raises:
        InvalidRequestError: neither or both given, or an invalid document.
        NotFoundError: no such flow for the caller.
        PermissionDeniedError: the caller's role cannot edit the flow's project's flows.
    """
    if (flow_id is None) == (document is None):
        raise InvalidRequestError(
            "Give either flowId (a flow to copy) or template (a flow document)",
            code="TEMPLATE_SOURCE",
        )
    if flow_id is not None:
        _, draft = await flows.load_with_draft(session, principal, flow_id, Permission.WRITE_FLOW)
        flow = load_flow(draft.definition)
    else:
        flow = parse_document(document)
    name = (display_name or flow.display_name).strip()[:200] or "Untitled template"
    row = TemplateRow(
        display_name=name,
        description=description,
        tags=sorted(set(tags)),
        owner_id=principal.user_id,
        flow=flow.model_dump(mode="json"),
    )
    session.add(row)
    await session.commit()
    return _read(row)


async def list_templates(
    *, session: AsyncSession, search: str | None, tag: str | None, limit: int, cursor: str | None
) -> tuple[list[TemplateRead], str | None, str | None]:
    """A page of the platform's templates, newest first, by name/description text and tag.

    Raises:
        InvalidRequestError: bad limit or cursor.
    """
    query = select(TemplateRow)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                TemplateRow.display_name.ilike(pattern, escape="\\"),
                TemplateRow.description.ilike(pattern, escape="\\"),
            )
        )
    if tag:
        # tags is a JSON list of strings; compare the quoted element inside its text.
        query = query.where(
            cast(TemplateRow.tags, String).contains(json.dumps(tag), autoescape=True)
        )
    page = await seek_page(
        session,
        query,
        created=TemplateRow.created,
        row_id=TemplateRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    return [_read(row[0]) for row in page.rows], page.next, page.previous


async def get_template(*, session: AsyncSession, template_id: str) -> TemplateRead:
    """A template.

    Raises:
        NotFoundError: no such template.
    """
    return _read(await _row(session, template_id))


async def delete_template(*, session: AsyncSession, principal: Principal, template_id: str) -> None:
    """Deletes a template (its creator, or a platform owner or admin).

    Raises:
        NotFoundError: no such template.
        PermissionDeniedError: someone else's template, and the caller is no platform admin.
    """
    row = await _row(session, template_id)
    if row.owner_id != principal.user_id:
        role = await session.scalar(
            select(UserRow.platform_role).where(UserRow.id == principal.user_id)
        )
        if role not in {"OWNER", "ADMIN"}:
            raise PermissionDeniedError(
                "Only its creator or a platform admin can delete a template"
            )
    await session.delete(row)
    await session.commit()


async def use_template(
    *,
    session: AsyncSession,
    principal: Principal,
    template_id: str,
    project_id: str,
    folder_id: str | None,
) -> FlowRead:
    """A new flow in the project with the template's document as its draft.

    Raises:
        NotFoundError: no such template, or no such project or folder for the caller.
        PermissionDeniedError: the caller's role cannot create flows there.
    """
    row = await _row(session, template_id)
    document = load_flow(row.flow)
    return await flows.create_flow(
        session=session,
        principal=principal,
        project_id=project_id,
        display_name=row.display_name,
        folder_id=folder_id,
        document=document,
    )


async def _row(session: AsyncSession, template_id: str) -> TemplateRow:
    row = await session.get(TemplateRow, template_id)
    if row is None:
        raise NotFoundError(f"No template {template_id!r}", code="TEMPLATE_NOT_FOUND")
    return row


def _read(row: TemplateRow) -> TemplateRead:
    return TemplateRead(
        id=row.id,
        display_name=row.display_name,
        description=row.description,
        tags=list(row.tags),
        owner_id=row.owner_id,
        flow=row.flow,
        created=row.created,
        updated=row.updated,
    )
