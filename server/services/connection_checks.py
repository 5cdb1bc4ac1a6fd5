"""Checking connection values with their piece's auth: on save, on request, and before use."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework import AuthError, PieceNotFoundError, PieceRegistry
from pieces.framework.connection import resolve_auth
from server.db.models import AppConnectionRow
from server.secrets_box import SecretBox
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.resources import ConnectionValidation

#: The framework's auth kind of each stored connection type (Activepieces' names).
_KINDS = {
    "SECRET_TEXT": "SECRET_TEXT",
    "BASIC_AUTH": "BASIC",
    "CUSTOM_AUTH": "CUSTOM_AUTH",
    "OAUTH2": "OAUTH2",
    "CLOUD_OAUTH2": "OAUTH2",
    "PLATFORM_OAUTH2": "OAUTH2",
}


async def check_value(registry: PieceRegistry, *, piece_name: str, stored: dict[str, Any]) -> None:
    """Runs the piece's auth checks (shape, then its `validate`) on a stored-shape value.

    A piece that is not installed is not checked (connections may be made before the piece is
    installed); it is checked when a step uses it.

    Raises:
        AuthError: the piece refuses the value (the message never contains the value).
    """
    try:
        piece = registry.latest(piece_name)
    except PieceNotFoundError:
        return
    kind = stored.get("type")
    if piece.auth is not None and kind != "NO_AUTH" and _KINDS.get(str(kind)) != piece.auth.kind:
        raise AuthError(
            f"{piece.display_name} connections are of type {piece.auth.kind}, not {kind}"
        )
    await resolve_auth(piece, require_auth=False, value=stored)


async def check_on_save(
    registry: PieceRegistry, *, piece_name: str, stored: dict[str, Any]
) -> None:
    """`check_value` for a connection being saved.

    Raises:
        InvalidRequestError: the piece refuses the value (400 `INVALID_CONNECTION`).
    """
    try:
        await check_value(registry, piece_name=piece_name, stored=stored)
    except AuthError as err:
        raise InvalidRequestError(
            f"The connection does not work: {err.message}", code="INVALID_CONNECTION"
        ) from err


async def validate_connection(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    registry: PieceRegistry,
    connection_id: str,
) -> ConnectionValidation:
    """Checks a saved connection with its piece and records the outcome in its status.

    Raises:
        NotFoundError: no such connection in a project the caller can see.
    """
    not_found = NotFoundError(f"No connection {connection_id!r}", code="CONNECTION_NOT_FOUND")
    row = await session.get(AppConnectionRow, connection_id)
    if row is None:
        raise not_found
    await require_permission(
        session, principal, row.project_id, Permission.READ_APP_CONNECTION, not_found=not_found
    )
    error: str | None = None
    try:
        await check_value(
            registry, piece_name=row.piece_name, stored=box.decrypt(row.encrypted_value)
        )
    except AuthError as err:
        error = err.message
    row.status = "ERROR" if error else "ACTIVE"
    await session.commit()
    return ConnectionValidation(valid=error is None, error=error, status=row.status)
