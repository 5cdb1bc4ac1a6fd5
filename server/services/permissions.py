"""Project roles and what each may do (the matrix of Activepieces' admin-guide/guides/permissions)."""

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import ProjectMemberRow
from server.services.errors import NotFoundError, PermissionDeniedError
from server.services.principal import Principal


class ProjectRole(StrEnum):
    """A member's role in a project."""

    ADMIN = "ADMIN"
    EDITOR = "EDITOR"
    OPERATOR = "OPERATOR"
    VIEWER = "VIEWER"


class Permission(StrEnum):
    """Something a project member may be allowed to do."""

    READ_FLOW = "READ_FLOW"
    WRITE_FLOW = "WRITE_FLOW"
    UPDATE_FLOW_STATUS = "UPDATE_FLOW_STATUS"
    READ_RUN = "READ_RUN"
    WRITE_RUN = "WRITE_RUN"
    READ_APP_CONNECTION = "READ_APP_CONNECTION"
    WRITE_APP_CONNECTION = "WRITE_APP_CONNECTION"
    READ_PROJECT_MEMBER = "READ_PROJECT_MEMBER"
    WRITE_PROJECT_MEMBER = "WRITE_PROJECT_MEMBER"
    WRITE_GIT_REPO = "WRITE_GIT_REPO"


_VIEW = frozenset(
    {
        Permission.READ_FLOW,
        Permission.READ_RUN,
        Permission.READ_APP_CONNECTION,
        Permission.READ_PROJECT_MEMBER,
    }
)
_OPERATE = _VIEW | {
    Permission.UPDATE_FLOW_STATUS,
    Permission.WRITE_RUN,
    Permission.WRITE_APP_CONNECTION,
}

#: What each default role may do.
ROLE_PERMISSIONS: dict[ProjectRole, frozenset[Permission]] = {
    ProjectRole.VIEWER: _VIEW,
    ProjectRole.OPERATOR: frozenset(_OPERATE),
    ProjectRole.EDITOR: frozenset(_OPERATE | {Permission.WRITE_FLOW}),
    ProjectRole.ADMIN: frozenset(Permission),
}

_ACTIONS = {
    Permission.READ_FLOW: "view flows",
    Permission.WRITE_FLOW: "edit flows",
    Permission.UPDATE_FLOW_STATUS: "publish or turn flows on and off",
    Permission.READ_RUN: "view runs",
    Permission.WRITE_RUN: "retry or cancel runs",
    Permission.READ_APP_CONNECTION: "view connections",
    Permission.WRITE_APP_CONNECTION: "edit connections",
    Permission.READ_PROJECT_MEMBER: "view project members",
    Permission.WRITE_PROJECT_MEMBER: "add or remove project members",
    Permission.WRITE_GIT_REPO: "configure git sync",
}


async def require_permission(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    permission: Permission,
    *,
    not_found: NotFoundError | None = None,
) -> ProjectRole:
    """Returns the caller's role in the project if it grants `permission`.

    Args:
        session: the request's session.
        principal: the caller.
        project_id: the project the resource belongs to.
        permission: what the caller wants to do.
        not_found: the error to raise when the caller is not a member (about the resource, so
            that ids of other projects' resources do not leak); a project error by default.

    Raises:
        NotFoundError: the caller is not a member of the project.
        PermissionDeniedError: the caller's role does not allow it.
    """
    role = await session.scalar(
        select(ProjectMemberRow.role).where(
            ProjectMemberRow.project_id == project_id, ProjectMemberRow.user_id == principal.user_id
        )
    )
    if role is None:
        raise not_found or NotFoundError(
            f"No project {project_id!r} that you can access", code="PROJECT_NOT_FOUND"
        )
    project_role = ProjectRole(role)
    if permission not in ROLE_PERMISSIONS[project_role]:
        raise PermissionDeniedError(
            f"Your role in this project ({project_role.title()}) cannot {_ACTIONS[permission]}; ask a project admin",
            params={"permission": permission, "role": project_role},
        )
    return project_role
