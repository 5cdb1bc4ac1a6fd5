"""Project members and invitations: who is in a project, with which role, and how people join."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import Page, ProjectMemberRead, UserInvitationRead
from server.db.models import ProjectMemberRow, ProjectRow, UserInvitationRow, UserRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.permissions import Permission, ProjectRole, require_permission
from server.services.principal import Principal


def parse_role(role: str) -> ProjectRole:
    """The role named `role`.

    Raises:
        InvalidRequestError: not one of ADMIN, EDITOR, OPERATOR, VIEWER.
    """
    try:
        return ProjectRole(role.upper())
    except ValueError:
        roles = ", ".join(ProjectRole)
        raise InvalidRequestError(
            f"Unknown role {role!r}; choose one of {roles}", params={"field": "projectRole"}
        ) from None


async def invite(
    *, session: AsyncSession, principal: Principal, email: str, project_id: str, role: str
) -> UserInvitationRead:
    """Invites an email to a project (or changes the pending invitation's role).

    An existing account joins at once; a new one joins when it signs up with this email.

    Raises:
        PermissionDeniedError: the caller may not add members.
        InvalidRequestError: unknown role or invalid email.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_PROJECT_MEMBER)
    project_role = parse_role(role)
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidRequestError("Enter a valid email address", params={"field": "email"})
    invitation = await session.scalar(
        select(UserInvitationRow).where(
            UserInvitationRow.email == email, UserInvitationRow.project_id == project_id
        )
    )
    if invitation is None:
        invitation = UserInvitationRow(
            email=email, project_id=project_id, project_role=project_role
        )
        session.add(invitation)
    invitation.project_role = project_role
    invitation.status = "PENDING"
    user = await session.scalar(select(UserRow).where(UserRow.email == email))
    if user is not None:
        await _join(session, user_id=user.id, invitation=invitation)
    await session.commit()
    return _invitation_read(invitation)


async def accept_invitations(session: AsyncSession, *, user: UserRow) -> list[str]:
    """Joins the new user to every project they were invited to; returns those project ids."""
    invitations = await session.scalars(
        select(UserInvitationRow)
        .where(UserInvitationRow.email == user.email, UserInvitationRow.status == "PENDING")
        .order_by(UserInvitationRow.created)
    )
    projects = []
    for invitation in invitations:
        await _join(session, user_id=user.id, invitation=invitation)
        projects.append(invitation.project_id)
    return projects


async def has_invitation(session: AsyncSession, email: str) -> bool:
    """Whether a pending invitation exists for the email."""
    found = await session.scalar(
        select(UserInvitationRow.id).where(
            UserInvitationRow.email == email.strip().lower(), UserInvitationRow.status == "PENDING"
        )
    )
    return found is not None


async def list_invitations(
    *, session: AsyncSession, principal: Principal, project_id: str
) -> Page[UserInvitationRead]:
    """The project's invitations, newest first."""
    await require_permission(session, principal, project_id, Permission.READ_PROJECT_MEMBER)
    rows = await session.scalars(
        select(UserInvitationRow)
        .where(UserInvitationRow.project_id == project_id)
        .order_by(UserInvitationRow.created.desc(), UserInvitationRow.id)
    )
    return Page[UserInvitationRead](data=[_invitation_read(row) for row in rows])


async def delete_invitation(
    *, session: AsyncSession, principal: Principal, invitation_id: str
) -> None:
    """Withdraws an invitation.

    Raises:
        NotFoundError: no such invitation in a project the caller can see.
    """
    not_found = NotFoundError(f"No invitation {invitation_id!r}", code="INVITATION_NOT_FOUND")
    row = await session.get(UserInvitationRow, invitation_id)
    if row is None:
        raise not_found
    await require_permission(
        session, principal, row.project_id, Permission.WRITE_PROJECT_MEMBER, not_found=not_found
    )
    await session.delete(row)
    await session.commit()


async def list_members(
    *, session: AsyncSession, principal: Principal, project_id: str
) -> Page[ProjectMemberRead]:
    """The project's members, oldest first."""
    await require_permission(session, principal, project_id, Permission.READ_PROJECT_MEMBER)
    rows = await session.execute(
        select(ProjectMemberRow, UserRow)
        .join(UserRow, UserRow.id == ProjectMemberRow.user_id)
        .where(ProjectMemberRow.project_id == project_id)
        .order_by(ProjectMemberRow.created, ProjectMemberRow.id)
    )
    return Page[ProjectMemberRead](data=[_member_read(member, user) for member, user in rows.all()])


async def update_member(
    *, session: AsyncSession, principal: Principal, member_id: str, role: str
) -> ProjectMemberRead:
    """Changes a member's role.

    Raises:
        InvalidRequestError: the member owns the project (always ADMIN) or the role is unknown.
    """
    member, user = await _member_for_change(session, principal, member_id)
    member.role = parse_role(role)
    await session.commit()
    return _member_read(member, user)


async def remove_member(*, session: AsyncSession, principal: Principal, member_id: str) -> None:
    """Removes a member from the project.

    Raises:
        InvalidRequestError: the member owns the project.
    """
    member, _ = await _member_for_change(session, principal, member_id)
    await session.delete(member)
    await session.commit()


async def _member_for_change(
    session: AsyncSession, principal: Principal, member_id: str
) -> tuple[ProjectMemberRow, UserRow]:
    not_found = NotFoundError(f"No project member {member_id!r}", code="PROJECT_MEMBER_NOT_FOUND")
    member = await session.get(ProjectMemberRow, member_id)
    if member is None:
        raise not_found
    await require_permission(
        session, principal, member.project_id, Permission.WRITE_PROJECT_MEMBER, not_found=not_found
    )
    project = await session.get(ProjectRow, member.project_id)
    if project is not None and project.owner_id == member.user_id:
        raise InvalidRequestError("The project's owner stays an admin of it", code="PROJECT_OWNER")
    user = await session.get(UserRow, member.user_id)
    if user is None:
        raise not_found
    return member, user


async def _join(session: AsyncSession, *, user_id: str, invitation: UserInvitationRow) -> None:
    member = await session.scalar(
        select(ProjectMemberRow).where(
            ProjectMemberRow.project_id == invitation.project_id,
            ProjectMemberRow.user_id == user_id,
        )
    )
    if member is None:
        session.add(
            ProjectMemberRow(
                project_id=invitation.project_id, user_id=user_id, role=invitation.project_role
            )
        )
    else:
        member.role = invitation.project_role
    invitation.status = "ACCEPTED"
    await session.flush()


def _member_read(member: ProjectMemberRow, user: UserRow) -> ProjectMemberRead:
    return ProjectMemberRead(
        id=member.id,
        project_id=member.project_id,
        user_id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        role=member.role,
        created=member.created,
    )


def _invitation_read(row: UserInvitationRow) -> UserInvitationRead:
    return UserInvitationRead(
        id=row.id,
        email=row.email,
        type=row.type,
        project_id=row.project_id,
        project_role=row.project_role,
        status=row.status,
        created=row.created,
    )
