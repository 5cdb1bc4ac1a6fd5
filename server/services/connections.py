"""App connections: credentials stored encrypted, listed without values, used only by the engine."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import AppConnectionRead, Page
from pieces.framework import PieceRegistry
from server.db.base import utcnow
from server.db.models import AppConnectionRow
from server.secrets_box import SecretBox
from server.services.audit import AuditAction, record
from server.services.connection_checks import check_on_save
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.pagination import seek_page
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal


async def upsert_connection(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    registry: PieceRegistry,
    project_id: str,
    external_id: str,
    display_name: str,
    piece_name: str,
    connection_type: str,
    value: dict[str, Any],
) -> AppConnectionRead:
    """Creates the project's connection with this external id, or replaces its value.

    Raises:
        InvalidRequestError: the value's type differs from the connection's, or the piece's
            auth refuses the value (`INVALID_CONNECTION`).
        PermissionDeniedError: the caller may not edit connections.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_APP_CONNECTION)
    if value.get("type") != connection_type:
        raise InvalidRequestError(
            f"The value is of type {value.get('type')!r} but the connection is {connection_type!r}; make them match",
            params={"field": "value.type"},
        )
    await check_on_save(registry, piece_name=piece_name, stored=value)
    row = await session.scalar(
        select(AppConnectionRow).where(
            AppConnectionRow.project_id == project_id, AppConnectionRow.external_id == external_id
        )
    )
    if row is None:
        row = AppConnectionRow(project_id=project_id, external_id=external_id)
        session.add(row)
    row.display_name = display_name
    row.piece_name = piece_name
    row.type = connection_type
    row.status = "ACTIVE"
    row.encrypted_value = box.encrypt(value)
    row.updated = utcnow()
    await session.flush()
    record(
        session,
        AuditAction.CONNECTION_UPSERTED,
        user_id=principal.user_id,
        project_id=project_id,
        data={"connectionId": row.id, "externalId": external_id, "pieceName": piece_name},
    )
    await session.commit()
    return _read(row)


async def list_connections(
    *,
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    piece_name: str | None,
    limit: int,
    cursor: str | None,
) -> Page[AppConnectionRead]:
    """A page of the project's connections, newest first, optionally of one piece."""
    await require_permission(session, principal, project_id, Permission.READ_APP_CONNECTION)
    query = select(AppConnectionRow).where(AppConnectionRow.project_id == project_id)
    if piece_name:
        query = query.where(AppConnectionRow.piece_name == piece_name)
    page = await seek_page(
        session,
        query,
        created=AppConnectionRow.created,
        row_id=AppConnectionRow.id,
        key=lambda row: (row[0].created, row[0].id),
        limit=limit,
        cursor=cursor,
    )
    return Page[AppConnectionRead](
        data=[_read(row[0]) for row in page.rows], next=page.next, previous=page.previous
    )


async def delete_connection(
    *, session: AsyncSession, principal: Principal, connection_id: str
) -> None:
    """Deletes a connection.

    Raises:
        NotFoundError: no such connection in a project the caller can see.
    """
    not_found = NotFoundError(f"No connection {connection_id!r}", code="CONNECTION_NOT_FOUND")
    row = await session.get(AppConnectionRow, connection_id)
    if row is None:
        raise not_found
    await require_permission(
        session, principal, row.project_id, Permission.WRITE_APP_CONNECTION, not_found=not_found
    )
    record(
        session,
        AuditAction.CONNECTION_DELETED,
        user_id=principal.user_id,
        project_id=row.project_id,
        data={"connectionId": row.id, "externalId": row.external_id, "pieceName": row.piece_name},
    )
    await session.delete(row)
    await session.commit()


def _read(row: AppConnectionRow) -> AppConnectionRead:
    return AppConnectionRead(
        id=row.id,
        project_id=row.project_id,
        external_id=row.external_id,
        display_name=row.display_name,
        piece_name=row.piece_name,
        type=row.type,
        status=row.status,
        created=row.created,
        updated=row.updated,
    )
