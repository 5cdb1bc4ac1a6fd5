"""Audit events: the platform's log of who did what (platform owners and admins)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from engine.model.resources import Page
from server.api.deps import CurrentPrincipal, SessionDep
from server.services import audit
from server.services.resources import AuditEventRead

router = APIRouter(prefix="/audit-events", tags=["audit-events"])


@router.get("")
async def list_audit_events(
    principal: CurrentPrincipal,
    session: SessionDep,
    action: audit.AuditAction | None = None,
    project_id: Annotated[str | None, Query(alias="projectId")] = None,
    user_id: Annotated[str | None, Query(alias="userId")] = None,
    created_after: Annotated[datetime | None, Query(alias="createdAfter")] = None,
    created_before: Annotated[datetime | None, Query(alias="createdBefore")] = None,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[AuditEventRead]:
    """A page of events, newest first, filtered by action, project, user and time."""
    where = audit.AuditFilter(
        action=action,
        project_id=project_id,
        user_id=user_id,
        created_after=created_after,
        created_before=created_before,
    )
    data, after, before = await audit.list_events(
        session=session, principal=principal, where=where, limit=limit, cursor=cursor
    )
    return Page[AuditEventRead](data=data, next=after, previous=before)
