"""Store entries: the project's key-value store, for the API and for pieces' `ctx.store`."""

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework.store import StoreError, StoreScope, encode_value
from server.db.base import utcnow
from server.db.models import StoreEntryRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.resources import StoreEntryRead

#: Longest key the API accepts: a piece's 128 characters plus the `flow_<flowId>/` prefix.
MAX_API_KEY_LENGTH = 200


def scoped_key(key: str, *, scope: StoreScope, flow_id: str) -> str:
    """The stored key: `flow_<flowId>/<key>` for FLOW scope (as in Activepieces), else the key."""
    return f"flow_{flow_id}/{key}" if scope == StoreScope.FLOW else key


async def read_value(session: AsyncSession, *, project_id: str, key: str) -> StoreEntryRow | None:
    """The project's entry under a stored key, or None."""
    return await session.scalar(
        select(StoreEntryRow).where(
            StoreEntryRow.project_id == project_id, StoreEntryRow.key == key
        )
    )


async def write_value(
    session: AsyncSession, *, project_id: str, key: str, value: Any
) -> StoreEntryRow:
    """Creates or replaces the project's entry under a stored key (the caller checked the value).

    `value` must fit the store's limits (`encode_value`); the caller commits.
    """
    now = utcnow()
    statement = (
        insert(StoreEntryRow)
        .values(project_id=project_id, key=key, value=value, created=now, updated=now)
        .on_conflict_do_update(
            constraint="uq_store_entries_project_key", set_={"value": value, "updated": now}
        )
        .returning(StoreEntryRow)
    )
    row: StoreEntryRow = (await session.scalars(statement)).one()
    return row


async def remove_value(session: AsyncSession, *, project_id: str, key: str) -> None:
    """Deletes the project's entry under a stored key, if any (the caller commits)."""
    await session.execute(
        delete(StoreEntryRow).where(
            StoreEntryRow.project_id == project_id, StoreEntryRow.key == key
        )
    )


async def get_entry(
    *, session: AsyncSession, principal: Principal, project_id: str, key: str
) -> StoreEntryRead:
    """The entry under `key` (as stored: a flow's keys carry their `flow_<flowId>/` prefix).

    Raises:
        NotFoundError: no such project for the caller, or no entry under the key.
    """
    await require_permission(session, principal, project_id, Permission.READ_FLOW)
    row = await read_value(session, project_id=project_id, key=key)
    if row is None:
        raise NotFoundError(f"No store entry under {key!r}", code="STORE_ENTRY_NOT_FOUND")
    return _read(row)


async def put_entry(
    *, session: AsyncSession, principal: Principal, project_id: str, key: str, value: Any
) -> StoreEntryRead:
    """Creates or replaces the entry under `key`.

    Raises:
        NotFoundError: no such project for the caller.
        PermissionDeniedError: the caller's role cannot edit flows.
        InvalidRequestError: the key or value does not fit the store's limits.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_FLOW)
    if not key or len(key) > MAX_API_KEY_LENGTH:
        raise InvalidRequestError(
            f"The key must have 1 to {MAX_API_KEY_LENGTH} characters", code="STORE_INVALID"
        )
    try:
        encoded = encode_value(value)
    except StoreError as err:
        raise InvalidRequestError(err.message, code="STORE_INVALID") from err
    row = await write_value(session, project_id=project_id, key=key, value=json.loads(encoded))
    await session.commit()
    return _read(row)


async def delete_entry(
    *, session: AsyncSession, principal: Principal, project_id: str, key: str
) -> None:
    """Deletes the entry under `key`; a missing key is not an error.

    Raises:
        NotFoundError: no such project for the caller.
        PermissionDeniedError: the caller's role cannot edit flows.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_FLOW)
    await remove_value(session, project_id=project_id, key=key)
    await session.commit()


def _read(row: StoreEntryRow) -> StoreEntryRead:
    return StoreEntryRead(
        id=row.id,
        project_id=row.project_id,
        key=row.key,
        value=row.value,
        created=row.created,
        updated=row.updated,
    )
