"""Connections: checking the `auth` input of a step against its piece's auth before `run`.

A step's input may hold `auth` (usually `{{connections['name']}}`). Its value is either the
connection's value itself, or an envelope `{pieceName, type, value}` as the server stores it;
an envelope made for another piece, or of another auth type, is refused with a clear message.
"""

from typing import Any

from pieces.framework.errors import AuthError
from pieces.framework.piece import Piece

#: The input key that holds a step's connection.
AUTH_INPUT = "auth"

_STORED_TYPES = frozenset(
    {
        "SECRET_TEXT",
        "BASIC_AUTH",
        "CUSTOM_AUTH",
        "NO_AUTH",
        "OAUTH2",
        "CLOUD_OAUTH2",
        "PLATFORM_OAUTH2",
    }
)


def auth_value(stored: Any) -> Any:
    """The value an auth takes, from a connection value as the server stores it (Activepieces'
    shapes: `{type: "SECRET_TEXT", secret_text}`, `{type: "BASIC_AUTH", username, password}`,
    `{type: "CUSTOM_AUTH", props}`, `{type: "OAUTH2", access_token, ...}`); other values as they are."""
    if not isinstance(stored, dict) or stored.get("type") not in _STORED_TYPES:
        return stored
    kind = stored["type"]
    if kind == "SECRET_TEXT":
        return stored.get("secret_text")
    if kind == "BASIC_AUTH":
        return {"username": stored.get("username"), "password": stored.get("password")}
    if kind == "CUSTOM_AUTH":
        return stored.get("props")
    if kind == "NO_AUTH":
        return None
    return {key: value for key, value in stored.items() if key != "type"}


async def resolve_auth(piece: Piece, *, require_auth: bool, value: Any) -> Any:
    """Checks a step's connection and returns the value its action sees as `ctx.auth`.

    Args:
        piece: the step's piece.
        require_auth: the action or trigger needs a connection when the piece has auth.
        value: the resolved `auth` input (None when the step has none).

    Raises:
        AuthError: a required connection is missing, belongs to another piece, has another auth
            type, does not have the shape the piece's auth expects, or its `validate` refused it.
    """
    if piece.auth is None:
        if value is not None:
            raise AuthError(f"piece {piece.name!r} takes no connection; remove it from the step")
        return None
    if value is None or value == "":
        if require_auth and piece.auth.required:
            raise AuthError(
                f"this step needs a {piece.display_name} connection; choose one in the step settings"
            )
        return None
    if isinstance(value, dict) and "pieceName" in value and "value" in value:
        if value["pieceName"] != piece.name:
            raise AuthError(
                f"the connection is for piece {value['pieceName']!r}, but this step uses "
                f"{piece.name!r}; choose a {piece.display_name} connection"
            )
        kind = value.get("type")
        if kind is not None and kind != piece.auth.kind:
            raise AuthError(
                f"the connection is of type {kind}, but {piece.display_name} needs {piece.auth.kind}"
            )
        value = value["value"]
    return await piece.auth.check(auth_value(value))
