"""Platform API keys: created by platform owners and admins, shown once, stored as a hash."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import ApiKeyRead, Page
from server.db.base import utcnow
from server.db.models import ApiKeyRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.platform import require_platform_admin
from server.services.principal import Principal

#: Every key starts with this, so leaked keys are easy to recognise (and to scan for).
KEY_PREFIX = "pw_"
#: How stale `last_used` may get before a request updates it.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedApiKey:
    """A new key: the only time its value is available."""

    key: ApiKeyRead
    value: str


def hash_key(value: str) -> str:
    """The stored form of a key (keys are long and random, so a fast hash is enough)."""
    return hashlib.sha256(value.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    """Whether a bearer token is shaped like an API key."""
    return token.startswith(KEY_PREFIX)


async def create_api_key(
    *, session: AsyncSession, principal: Principal, display_name: str
) -> CreatedApiKey:
    """Creates a key that acts as its creator.

    Raises:
        PermissionDeniedError: the caller is not a platform owner or admin.
        InvalidRequestError: empty name.
    """
    await require_platform_admin(session, principal, action="manage API keys")
    if not display_name.strip():
        raise InvalidRequestError("Give the API key a name", params={"field": "displayName"})
    value = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(
        display_name=display_name.strip(),
        user_id=principal.user_id,
        hashed_value=hash_key(value),
        truncated_value=value[-4:],
    )
    session.add(row)
    await session.commit()
    return CreatedApiKey(key=_read(row), value=value)


async def list_api_keys(*, session: AsyncSession, principal: Principal) -> Page[ApiKeyRead]:
    """The platform's keys, without their values."""
    await require_platform_admin(session, principal, action="manage API keys")
    rows = await session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created.desc(), ApiKeyRow.id))
    return Page[ApiKeyRead](data=[_read(row) for row in rows])


async def delete_api_key(*, session: AsyncSession, principal: Principal, key_id: str) -> None:
    """Revokes a key at once.

    Raises:
        NotFoundError: no such key.
    """
    await require_platform_admin(session, principal, action="manage API keys")
    row = await session.get(ApiKeyRow, key_id)
    if row is None:
        raise NotFoundError(f"No API key {key_id!r}", code="API_KEY_NOT_FOUND")
    await session.delete(row)
    await session.commit()


async def user_of_key(session: AsyncSession, value: str) -> str | None:
    """The id of the user a key acts as, or None for an unknown key; records its use (once a minute
    at most, so a busy script does not turn every request into a write)."""
    row = await session.scalar(select(ApiKeyRow).where(ApiKeyRow.hashed_value == hash_key(value)))
    if row is None:
        return None
    now = utcnow()
    if row.last_used is None or now - row.last_used > LAST_USED_PRECISION:
        row.last_used = now
        await session.commit()
    return row.user_id


def _read(row: ApiKeyRow) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        display_name=row.display_name,
        truncated_value=row.truncated_value,
        created=row.created,
        last_used=row.last_used,
    )
