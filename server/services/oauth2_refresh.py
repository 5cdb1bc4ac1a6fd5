"""Fresh OAuth2 tokens for runs: connection values whose token expires within a minute are
refreshed at the piece's token URL (and saved) before a run gets them."""

import logging
import re
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pieces.framework import (
    AuthError,
    NetworkPolicy,
    OAuth2,
    PieceNotFoundError,
    PieceRegistry,
    create_http_client,
)
from pieces.framework.oauth2 import ClientInfo, needs_refresh, refresh
from server.db.models import AppConnectionRow
from server.secrets_box import SecretBox

log = logging.getLogger(__name__)

_OAUTH2_TYPES = frozenset({"OAUTH2", "CLOUD_OAUTH2", "PLATFORM_OAUTH2"})


#: A template that reads connections, e.g. {{connections['openai']}}.
_NAMES_CONNECTIONS = re.compile(r"\{\{\s*connections\b")


def names_connections(text: str) -> bool:
    """Whether a flow's or a trigger's settings (as text) read connections in a template: the
    rest need no connection values (no query, no decryption)."""
    return _NAMES_CONNECTIONS.search(text) is not None


async def fresh_connection_values(
    session: AsyncSession, *, box: SecretBox, registry: PieceRegistry, project_id: str
) -> dict[str, Any]:
    """Every connection value of the project by external id, decrypted, OAuth2 tokens refreshed.

    A token that cannot be refreshed is handed over as it is (the step then fails with the
    service's answer) and its connection's status becomes ERROR.
    """
    rows = list(
        await session.scalars(
            select(AppConnectionRow).where(AppConnectionRow.project_id == project_id)
        )
    )
    values: dict[str, Any] = {}
    for row in rows:
        value = box.decrypt(row.encrypted_value)
        if row.type in _OAUTH2_TYPES and needs_refresh(value, now=time.time()):
            value = await _refreshed(session, box=box, registry=registry, connection_id=row.id)
        values[row.external_id] = value
    return values


async def _refreshed(
    session: AsyncSession, *, box: SecretBox, registry: PieceRegistry, connection_id: str
) -> Any:
    # Locked, and checked again: another worker may have refreshed it (refresh tokens can rotate).
    row = await session.scalar(
        select(AppConnectionRow)
        .where(AppConnectionRow.id == connection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        await session.commit()
        return None
    value = box.decrypt(row.encrypted_value)
    try:
        auth = registry.latest(row.piece_name).auth
    except PieceNotFoundError:
        auth = None
    if not isinstance(auth, OAuth2) or not needs_refresh(value, now=time.time()):
        await session.commit()
        return value
    client = ClientInfo(
        client_id=str(value.get("client_id", "")),
        client_secret=str(value.get("client_secret", "")),
        redirect_uri=str(value.get("redirect_url", "")),
    )
    try:
        async with create_http_client(NetworkPolicy.from_env()) as http:
            token = await refresh(auth, http=http, client=client, token=value, now=time.time())
    except AuthError as err:
        log.warning("connection %s could not be refreshed: %s", row.id, err.message)
        row.status = "ERROR"
        await session.commit()
        return value
    value = {**value, **token}
    row.encrypted_value = box.encrypt(value)
    row.status = "ACTIVE"
    await session.commit()
    return value
