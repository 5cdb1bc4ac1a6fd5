"""Platform-level roles: the owner (first account) and admins manage the whole server."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import UserRow
from server.services.errors import PermissionDeniedError
from server.services.principal import Principal

_ADMIN_ROLES = frozenset({"OWNER", "ADMIN"})


async def require_platform_admin(
    session: AsyncSession, principal: Principal, *, action: str
) -> None:
    """Raises PermissionDeniedError unless the caller owns or administers the platform.

    Args:
        session: the request's session.
        principal: the caller.
        action: what was attempted, for the message ("manage API keys").
    """
    role = await session.scalar(
        select(UserRow.platform_role).where(UserRow.id == principal.user_id)
    )
    if role not in _ADMIN_ROLES:
        raise PermissionDeniedError(f"Only platform owners and admins {action}")
