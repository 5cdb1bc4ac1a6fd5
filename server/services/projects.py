"""Project scoping: every query runs inside a project the caller is a member of."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import Page, ProjectRead
from server.db.models import ProjectMemberRow, ProjectRow
from server.services.errors import NotFoundError
from server.services.principal import Principal


async def require_member(session: AsyncSession, principal: Principal, project_id: str) -> str:
    """Returns the caller's role in the project.

    Raises:
        NotFoundError: no such project, or the caller is not a member (the same answer, so ids do not leak).
    """
    role = await session.scalar(
        select(ProjectMemberRow.role).where(
            ProjectMemberRow.project_id == project_id, ProjectMemberRow.user_id == principal.user_id
        )
    )
    if role is None:
        raise NotFoundError(
            f"No project {project_id!r} that you can access", code="PROJECT_NOT_FOUND"
        )
    return role


async def require_visible(
    session: AsyncSession, principal: Principal, project_id: str, *, not_found: NotFoundError
) -> None:
    """Raises `not_found` (about the resource, not the project) unless the caller is a member."""
    try:
        await require_member(session, principal, project_id)
    except NotFoundError:
        raise not_found from None


async def list_projects(session: AsyncSession, principal: Principal) -> Page[ProjectRead]:
    """Every project the caller is a member of, oldest first (people have a handful, not pages of them)."""
    rows = await session.execute(
        select(ProjectRow, ProjectMemberRow.role)
        .join(ProjectMemberRow, ProjectMemberRow.project_id == ProjectRow.id)
        .where(ProjectMemberRow.user_id == principal.user_id)
        .order_by(ProjectRow.created, ProjectRow.id)
    )
    projects = [
        ProjectRead(
            id=project.id, display_name=project.display_name, role=role, created=project.created
        )
        for project, role in rows.all()
    ]
    return Page[ProjectRead](data=projects)
