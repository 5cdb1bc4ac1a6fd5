"""Audit events: what happened, who did it, when, in which project; platform admins list them.

Events are added in the same transaction as the change they describe, so a change that fails
leaves no event and an event never lacks its change. Action names follow Activepieces' audit
log catalog (admin-guide/security/audit-logs).
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import AuditEventRow, UserRow
from server.services.pagination import seek_page
from server.services.platform import require_platform_admin
from server.services.principal import Principal
from server.services.resources import AuditEventRead


class AuditAction(StrEnum):
    """The events recorded."""

    FLOW_CREATED = "flow.created"
    FLOW_UPDATED = "flow.updated"
    FLOW_PUBLISHED = "flow.published"
    FLOW_ACTIVATED = "flow.activated"
    FLOW_DEACTIVATED = "flow.deactivated"
    FLOW_DELETED = "flow.deleted"
    FLOW_RUN_STARTED = "flow.run.started"
    FLOW_RUN_FINISHED = "flow.run.finished"
    FOLDER_CREATED = "folder.created"
    FOLDER_UPDATED = "folder.updated"
    FOLDER_DELETED = "folder.deleted"
    CONNECTION_UPSERTED = "connection.upserted"
    CONNECTION_DELETED = "connection.deleted"
    USER_SIGNED_UP = "user.signed.up"
    USER_SIGNED_IN = "user.signed.in"


def record(
    session: AsyncSession,
    action: AuditAction,
    *,
    user_id: str | None,
    project_id: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Adds an event to the session's transaction (the caller commits it with its change).

    `data` must hold no secret: names and ids, never connection values.
    """
    session.add(
        AuditEventRow(action=action, user_id=user_id, project_id=project_id, data=data or {})
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """Which events to list."""

    action: AuditAction | None = None
    project_id: str | None = None
    user_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def list_events(
    *,
    session: AsyncSession,
    principal: Principal,
    where: AuditFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEventRead], str | None, str | None]:
    """A page of events, newest first (platform owners and admins).

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        InvalidRequestError: bad limit or cursor.
    """
    await require_platform_admin(session, principal, action="read the audit log")
    query = select(AuditEventRow, UserRow.email).outerjoin(
        UserRow, UserRow.id == AuditEventRow.user_id
    )
    if where.action is not None:
        query = query.where(AuditEventRow.action == where.action)
    if where.project_id is not None:
        query = query.where(AuditEventRow.project_id == where.project_id)
    if where.user_id is not None:
        query = query.where(AuditEventRow.user_id == where.user_id)
    if where.created_after is not None:
        query = query.where(AuditEventRow.created >= where.created_after)
    if where.created_before is not None:
        query = query.where(AuditEventRow.created < where.created_before)
    page = await seek_page(
        session,
        query,
        created=AuditEventRow.created,
        row_id=AuditEventRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    events = [
        AuditEventRead(
            id=event.id,
            action=event.action,
            user_id=event.user_id,
            user_email=email,
            project_id=event.project_id,
            data=event.data,
            created=event.created,
        )
        for event, email in page.rows
    ]
    return events, page.next, page.previous
