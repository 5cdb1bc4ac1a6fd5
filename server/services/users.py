"""Users of the platform: the caller's own account, and the list platform admins manage."""

from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import ApiKeyRow, FileRow, ProjectMemberRow, ProjectRow, UserRow
from server.services import files
from server.services.errors import ConflictError, InvalidRequestError, NotFoundError
from server.services.file_storage import DATABASE_STORAGE, FileStorage
from server.services.pagination import seek_page
from server.services.platform import require_platform_admin
from server.services.principal import Principal
from server.services.resources import UserRead

UserStatus = Literal["ACTIVE", "INACTIVE"]
PlatformRole = Literal["ADMIN", "MEMBER"]


async def get_me(*, session: AsyncSession, principal: Principal) -> UserRead:
    """The caller's account."""
    user = await session.get(UserRow, principal.user_id)
    if user is None:  # authenticate() checked it moments ago; deleted in between
        raise NotFoundError("Your account no longer exists", code="USER_NOT_FOUND")
    return to_read(user)


async def list_users(
    *, session: AsyncSession, principal: Principal, limit: int, cursor: str | None
) -> tuple[list[UserRead], str | None, str | None]:
    """Every user of the platform, newest first (platform owners and admins).

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        InvalidRequestError: bad limit or cursor.
    """
    await require_platform_admin(session, principal, action="list users")
    page = await seek_page(
        session,
        select(UserRow),
        created=UserRow.created,
        row_id=UserRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    return [to_read(row[0]) for row in page.rows], page.next, page.previous


async def update_user(
    *,
    session: AsyncSession,
    principal: Principal,
    user_id: str,
    status: UserStatus | None,
    platform_role: PlatformRole | None,
) -> UserRead:
    """Deactivates or reactivates a user, or changes their platform role (platform admins).

    Deactivating revokes every token of the user at once; their API keys stop working too.

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        NotFoundError: no such user.
        InvalidRequestError: the change would lock out the owner or the caller.
    """
    user = await _managed_user(session, principal, user_id, action="manage users")
    if status is not None and status != user.status:
        if user.id == principal.user_id:
            raise InvalidRequestError("You cannot deactivate yourself", code="CANNOT_CHANGE_SELF")
        user.status = status
        user.token_version += 1
    if platform_role is not None:
        if user.id == principal.user_id:
            raise InvalidRequestError(
                "You cannot change your own platform role", code="CANNOT_CHANGE_SELF"
            )
        user.platform_role = platform_role
    await session.commit()
    return to_read(user)


async def delete_user(
    *,
    session: AsyncSession,
    principal: Principal,
    user_id: str,
    storage: FileStorage = DATABASE_STORAGE,
) -> None:
    """Deletes a user with their API keys, memberships, and the projects only they are in.

    The files of those projects go too, their contents from `storage` first.

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        NotFoundError: no such user.
        InvalidRequestError: deleting the owner or oneself.
        ConflictError: the user owns a project that others are members of.
        ServiceError: the file storage (S3) refused or cannot be reached; nothing is deleted.
    """
    user = await _managed_user(session, principal, user_id, action="delete users")
    if user.id == principal.user_id:
        raise InvalidRequestError("You cannot delete yourself", code="CANNOT_CHANGE_SELF")
    owned = list(await session.scalars(select(ProjectRow).where(ProjectRow.owner_id == user.id)))
    for project in owned:
        others = await session.scalar(
            select(func.count())
            .select_from(ProjectMemberRow)
            .where(ProjectMemberRow.project_id == project.id, ProjectMemberRow.user_id != user.id)
        )
        if others:
            raise ConflictError(
                f"{user.email} owns project {project.display_name!r}, which has other members; "
                "delete the project or remove its members first",
                code="USER_OWNS_SHARED_PROJECT",
                params={"projectId": project.id},
            )
    project_ids = [project.id for project in owned]
    await files.delete_contents(session, storage=storage, where=FileRow.project_id.in_(project_ids))
    for project in owned:
        await session.delete(project)
    await session.execute(delete(ApiKeyRow).where(ApiKeyRow.user_id == user.id))
    await session.flush()
    await session.delete(user)
    await session.commit()


async def _managed_user(
    session: AsyncSession, principal: Principal, user_id: str, *, action: str
) -> UserRow:
    await require_platform_admin(session, principal, action=action)
    user = await session.get(UserRow, user_id)
    if user is None:
        raise NotFoundError(f"No user {user_id!r}", code="USER_NOT_FOUND")
    if user.platform_role == "OWNER":
        raise InvalidRequestError(
            "The platform owner cannot be changed or deleted", code="CANNOT_CHANGE_OWNER"
        )
    return user


def to_read(user: UserRow) -> UserRead:
    """The user as the API returns it (never the password hash)."""
    return UserRead(
        id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        platform_role=user.platform_role,
        status=user.status,
        created=user.created,
        updated=user.updated,
    )
