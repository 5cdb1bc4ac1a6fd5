"""The MySQL/MariaDB connection: a URL or host/port/user/password/database fields, and TLS."""

import asyncio
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

import pymysql
import pymysql.cursors

from pieces.framework import (
    AuthError,
    CustomAuth,
    Number,
    Option,
    PieceError,
    ShortText,
    StaticDropdown,
    validators,
)
from pieces.mysql.errors import to_piece_error

#: Seconds to wait for the server.
TIMEOUT_S = 15


def settings(auth: dict[str, Any]) -> dict[str, Any]:
    """Host, port, user, password and database: the URL's, with filled-in fields on top."""
    found: dict[str, Any] = {
        "host": None,
        "port": 3306,
        "user": None,
        "password": "",
        "database": None,
    }
    if auth.get("url"):
        parts = urlsplit(auth["url"])
        if parts.scheme not in ("mysql", "mariadb"):
            raise AuthError("MySQL connection URL must start with mysql:// or mariadb://")
        found |= {
            "host": parts.hostname,
            "port": parts.port or 3306,
            "user": unquote(parts.username or "") or None,
            "password": unquote(parts.password or ""),
            "database": parts.path.lstrip("/") or None,
        }
    for key in ("host", "port", "user", "password", "database"):
        if auth.get(key):
            found[key] = auth[key]
    if not found["host"] or not found["user"]:
        raise AuthError("MySQL connection: fill in a connection URL, or the host and user")
    return found


def _tls(mode: str) -> ssl.SSLContext | None:
    if mode == "disable":
        return None
    context = ssl.create_default_context()
    if mode == "require":  # encrypted, but any certificate (as MySQL's REQUIRED mode)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(auth: dict[str, Any]) -> "pymysql.connections.Connection[Any]":
    """A blocking connection in autocommit mode, rows as dicts (run it in a thread)."""
    found = settings(auth)
    where = f"{found['host']}:{found['port']}"
    try:
        return pymysql.connect(
            host=found["host"],
            port=int(found["port"]),
            user=found["user"],
            password=found["password"],
            database=found["database"],
            ssl=_tls(auth.get("ssl") or "disable"),
            connect_timeout=TIMEOUT_S,
            autocommit=True,
            charset="utf8mb4",
            cursorclass=pymysql.cursors.DictCursor,
        )
    except pymysql.MySQLError as err:
        raise to_piece_error(err, where=where) from err


async def _validate(auth: Any) -> str | None:
    try:
        conn = await asyncio.to_thread(connect, auth)
    except PieceError as err:
        return err.message
    conn.close()
    return None


mysql_auth = CustomAuth(
    display_name="MySQL or MariaDB database",
    description=(
        "A connection URL (mysql://user:password@host:3306/database), or the fields below; "
        "fields that are filled in override the URL's."
    ),
    props={
        "url": ShortText(display_name="Connection URL"),
        "host": ShortText(display_name="Host"),
        # No default: a default would override the port of the URL.
        "port": Number(
            display_name="Port",
            description="Default 3306",
            validators=(validators.min_value(1), validators.max_value(65535)),
        ),
        "user": ShortText(display_name="User"),
        "password": ShortText(display_name="Password"),
        "database": ShortText(display_name="Database"),
        "ssl": StaticDropdown(
            display_name="TLS",
            default="disable",
            options=(
                Option(label="No TLS", value="disable"),
                Option(label="Require TLS", value="require"),
                Option(label="Require TLS and verify the certificate", value="verify"),
            ),
        ),
    },
    validate=_validate,
)
