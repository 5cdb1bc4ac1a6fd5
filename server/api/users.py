"""Users: the caller's account, and the platform's users for platform admins (Activepieces' shape)."""

from fastapi import APIRouter, Response

from engine.model import Model
from engine.model.resources import Page
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.services import users
from server.services.resources import UserRead

router = APIRouter(prefix="/users", tags=["users"])


class UserUpdate(Model):
    """Deactivate or reactivate a user, or change their platform role."""

    status: users.UserStatus | None = None
    platform_role: users.PlatformRole | None = None


@router.get("/me")
async def get_me(principal: CurrentPrincipal, session: SessionDep) -> UserRead:
    """The signed-in user's account."""
    return await users.get_me(session=session, principal=principal)


@router.get("")
async def list_users(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: int = 10,
    cursor: str | None = None,
) -> Page[UserRead]:
    """Every user of the platform, newest first (platform owners and admins)."""
    data, after, before = await users.list_users(
        session=session, principal=principal, limit=limit, cursor=cursor
    )
    return Page[UserRead](data=data, next=after, previous=before)


@router.post("/{user_id}")
async def update_user(
    user_id: str,
    body: UserUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> UserRead:
    """Sets a user's status (ACTIVE, INACTIVE: signed out at once, cannot sign in) or platform role."""
    return await users.update_user(
        session=session,
        principal=principal,
        user_id=user_id,
        status=body.status,
        platform_role=body.platform_role,
    )


@router.delete("/{user_id}", status_code=204)
async def delete_user(
    user_id: str, context: ContextDep, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Deletes a user, their API keys and the projects only they belong to (with their files)."""
    await users.delete_user(
        session=session, principal=principal, user_id=user_id, storage=context.file_storage
    )
    return Response(status_code=204)
