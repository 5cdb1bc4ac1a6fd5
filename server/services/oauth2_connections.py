"""OAuth2 connections: the authorization URL (with state and PKCE) and the code exchange.

The desktop opens the URL, receives `code` and `state` on its loopback redirect, and posts them
back; the server trades the code for a token at the piece's token URL and saves the connection
encrypted. The state is the pending request itself, encrypted with the server's key (so any
server of a team can finish what another started) and bound to the user and a 10-minute expiry.
"""

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model.resources import AppConnectionRead
from pieces.framework import (
    AuthError,
    NetworkPolicy,
    OAuth2,
    OAuth2GrantType,
    PieceNotFoundError,
    PieceRegistry,
    create_http_client,
)
from pieces.framework.oauth2 import ClientInfo, authorization_url, exchange_code, pkce_pair
from server.secrets_box import EncryptionKeyError, SecretBox
from server.services.connections import upsert_connection
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.permissions import Permission, require_permission
from server.services.principal import Principal
from server.services.resources import OAuth2Start

#: Seconds a started authorization stays valid.
STATE_LIFETIME_S = 600


async def start_authorization(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    registry: PieceRegistry,
    project_id: str,
    piece_name: str,
    connection: dict[str, Any],
) -> OAuth2Start:
    """The URL to open for the piece's OAuth2 sign-in, and its state.

    Args:
        connection: `externalId`, `displayName`, `clientId`, `clientSecret`, `redirectUrl` and
            extra `props` of the connection to make.

    Raises:
        NotFoundError: no such project for the caller, or no such piece.
        PermissionDeniedError: the caller's role cannot edit connections.
        InvalidRequestError: the piece does not use the OAuth2 authorization code grant.
    """
    await require_permission(session, principal, project_id, Permission.WRITE_APP_CONNECTION)
    auth = _oauth2(registry, piece_name)
    verifier, challenge = pkce_pair() if auth.pkce else ("", "")
    pending = {
        "user": principal.user_id,
        "project": project_id,
        "piece": piece_name,
        "verifier": verifier,
        "expires": time.time() + STATE_LIFETIME_S,
        "connection": connection,
    }
    state = _seal(box, pending)
    client = _client(connection)
    url = authorization_url(auth, client=client, state=state, code_challenge=challenge or None)
    return OAuth2Start(authorization_url=url, state=state)


async def finish_authorization(
    *,
    session: AsyncSession,
    principal: Principal,
    box: SecretBox,
    registry: PieceRegistry,
    state: str,
    code: str,
) -> AppConnectionRead:
    """Trades the code for a token and saves the connection (encrypted).

    Raises:
        InvalidRequestError: an unknown, expired or someone else's state, or the token endpoint
            refused the code (its error is in the message).
    """
    pending = _open(box, state)
    if pending.get("user") != principal.user_id or pending.get("expires", 0) < time.time():
        raise InvalidRequestError(
            "This sign-in has expired or was started by someone else; start again",
            code="INVALID_OAUTH2_STATE",
        )
    connection: dict[str, Any] = pending["connection"]
    auth = _oauth2(registry, pending["piece"])
    client = _client(connection)
    try:
        async with create_http_client(NetworkPolicy.from_env()) as http:
            token = await exchange_code(
                auth,
                http=http,
                client=client,
                code=code,
                code_verifier=pending["verifier"] or None,
                now=time.time(),
            )
    except AuthError as err:
        raise InvalidRequestError(
            f"The sign-in could not be completed: {err.message}", code="OAUTH2_EXCHANGE_FAILED"
        ) from err
    value = {
        "type": "OAUTH2",
        **token,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "redirect_url": client.redirect_uri,
        "props": connection.get("props") or {},
    }
    return await upsert_connection(
        session=session,
        principal=principal,
        box=box,
        registry=registry,
        project_id=pending["project"],
        external_id=connection["externalId"],
        display_name=connection["displayName"],
        piece_name=pending["piece"],
        connection_type="OAUTH2",
        value=value,
    )


def _oauth2(registry: PieceRegistry, piece_name: str) -> OAuth2:
    try:
        piece = registry.latest(piece_name)
    except PieceNotFoundError as err:
        raise NotFoundError(err.message, code="PIECE_NOT_FOUND") from err
    auth = piece.auth
    if not isinstance(auth, OAuth2) or auth.grant_type != OAuth2GrantType.AUTHORIZATION_CODE:
        raise InvalidRequestError(
            f"{piece.display_name} does not connect through an OAuth2 sign-in",
            code="NOT_OAUTH2",
        )
    return auth


def _client(connection: dict[str, Any]) -> ClientInfo:
    return ClientInfo(
        client_id=str(connection["clientId"]),
        client_secret=str(connection.get("clientSecret") or ""),
        redirect_uri=str(connection["redirectUrl"]),
    )


def _seal(box: SecretBox, pending: dict[str, Any]) -> str:
    # The box's text is standard base64 behind a prefix; make it URL-safe for the query string.
    sealed = box.encrypt(pending)
    return sealed.replace("+", "-").replace("/", "_").rstrip("=")


def _open(box: SecretBox, state: str) -> dict[str, Any]:
    text = state.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text.split(":", 1)[-1]) % 4)
    try:
        pending = box.decrypt(text)
    except (EncryptionKeyError, ValueError) as err:
        raise InvalidRequestError(
            "This sign-in state is not one this server made; start again",
            code="INVALID_OAUTH2_STATE",
        ) from err
    if not isinstance(pending, dict):
        raise InvalidRequestError("This sign-in state is not valid", code="INVALID_OAUTH2_STATE")
    return pending
