"""Project scoping: every query runs inside a project the caller is a member of."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import Page, ProjectRead
from server.db.models import ProjectMemberRow, ProjectRow
from server.services.platform import require_platform_admin
from server.services.principal import Principal


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


async def create_project(
    *, session: AsyncSession, principal: Principal, display_name: str
) -> ProjectRead:
    """Creates a project with the caller as its owner and admin.

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
    """
    await require_platform_admin(session, principal, action="create projects")
    project = ProjectRow(display_name=display_name.strip(), owner_id=principal.user_id)
    session.add(project)
    await session.flush()
    session.add(ProjectMemberRow(project_id=project.id, user_id=principal.user_id, role="ADMIN"))
    await session.commit()
    return ProjectRead(
        id=project.id, display_name=project.display_name, role="ADMIN", created=project.created
    )
