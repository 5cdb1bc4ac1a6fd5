"""Connections: missing, wrong piece, wrong type and wrong shape are clear errors."""

from typing import Any

import pytest

from pieces.framework import Action, ActionContext, AuthError, Piece, SecretText
from pieces.framework.connection import auth_value, resolve_auth


async def _noop(ctx: ActionContext) -> None:
    return None


async def _only_good(value: Any) -> str | None:
    return None if value == "good" else "the key was refused"


ACME = Piece(
    name="acme",
    display_name="Acme",
    version="1.0.0",
    auth=SecretText(display_name="API key", validate=_only_good),
    actions=(Action(name="a", display_name="A", run=_noop),),
)
PLAIN = Piece(name="plain", display_name="Plain", version="1.0.0")


async def test_raw_and_enveloped_values_resolve() -> None:
    assert await resolve_auth(ACME, require_auth=True, value="good") == "good"
    envelope = {"pieceName": "acme", "type": "SECRET_TEXT", "value": "good"}
    assert await resolve_auth(ACME, require_auth=True, value=envelope) == "good"


async def test_values_in_the_servers_stored_shapes_resolve() -> None:
    stored = {"type": "SECRET_TEXT", "secret_text": "good"}
    assert await resolve_auth(ACME, require_auth=True, value=stored) == "good"
    assert auth_value({"type": "BASIC_AUTH", "username": "u", "password": "p"}) == {
        "username": "u",
        "password": "p",
    }
    assert auth_value({"type": "CUSTOM_AUTH", "props": {"k": 1}}) == {"k": 1}
    assert auth_value({"type": "OAUTH2", "access_token": "t"}) == {"access_token": "t"}
    assert auth_value({"type": "NO_AUTH"}) is None
    assert auth_value({"type": "OTHER", "x": 1}) == {"type": "OTHER", "x": 1}


async def test_missing_connection_is_an_error_only_when_required() -> None:
    with pytest.raises(AuthError, match="this step needs a Acme connection"):
        await resolve_auth(ACME, require_auth=True, value=None)
    assert await resolve_auth(ACME, require_auth=False, value=None) is None


async def test_wrong_piece_type_or_value_is_refused() -> None:
    with pytest.raises(
        AuthError, match="the connection is for piece 'slack', but this step uses 'acme'"
    ):
        await resolve_auth(ACME, require_auth=True, value={"pieceName": "slack", "value": "good"})
    with pytest.raises(AuthError, match="of type BASIC, but Acme needs SECRET_TEXT"):
        await resolve_auth(
            ACME, require_auth=True, value={"pieceName": "acme", "type": "BASIC", "value": "x"}
        )
    with pytest.raises(AuthError, match="API key: the key was refused"):
        await resolve_auth(ACME, require_auth=True, value="bad")
    with pytest.raises(AuthError, match="takes no connection"):
        await resolve_auth(PLAIN, require_auth=True, value="x")
