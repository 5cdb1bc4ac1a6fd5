"""The PostgreSQL connection: a URL or host/port/user/password/database fields, and the TLS mode."""

from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from pieces.framework import (
    AuthError,
    CustomAuth,
    Number,
    Option,
    ShortText,
    StaticDropdown,
    validators,
)
from pieces.postgres.errors import describe

#: Seconds to wait for the server to accept a connection.
CONNECT_TIMEOUT_S = 15


def conninfo(auth: dict[str, Any]) -> str:
    """A libpq connection string: the URL with the fields that are filled in on top of it."""
    fields = {
        "host": auth.get("host") or None,
        "port": auth.get("port") or None,
        "user": auth.get("user") or None,
        "password": auth.get("password") or None,
        "dbname": auth.get("database") or None,
        "sslmode": auth.get("ssl") or None,
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": "piecework",
    }
    return make_conninfo(
        auth.get("url") or "", **{k: v for k, v in fields.items() if v is not None}
    )


async def connect(auth: dict[str, Any]) -> psycopg.AsyncConnection[Any]:
    """An open connection (autocommit: each statement commits on its own)."""
    if not auth.get("url") and not auth.get("host"):
        raise AuthError("PostgreSQL connection: fill in a connection URL or a host")
    return await psycopg.AsyncConnection.connect(conninfo(auth), autocommit=True)


async def _validate(auth: Any) -> str | None:
    try:
        conn = await connect(auth)
    except psycopg.Error as err:
        return describe(err)
    await conn.close()
    return None


postgres_auth = CustomAuth(
    display_name="PostgreSQL database",
    description=(
        "A connection URL (postgresql://user:password@host:5432/database?sslmode=require), or "
        "the fields below; fields that are filled in override the URL's."
    ),
    props={
        "url": ShortText(display_name="Connection URL"),
        "host": ShortText(display_name="Host"),
        # No default: a default would override the port of the URL.
        "port": Number(
            display_name="Port",
            description="Default 5432",
            validators=(validators.min_value(1), validators.max_value(65535)),
        ),
        "user": ShortText(display_name="User"),
        "password": ShortText(display_name="Password"),
        "database": ShortText(display_name="Database"),
        "ssl": StaticDropdown(
            display_name="TLS",
            default="prefer",
            options=(
                Option(label="Prefer TLS (use it when the server offers it)", value="prefer"),
                Option(label="Require TLS", value="require"),
                Option(label="Require TLS and verify the certificate", value="verify-full"),
                Option(label="No TLS", value="disable"),
            ),
        ),
    },
    validate=_validate,
)
