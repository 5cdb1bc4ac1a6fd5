"""Running statements: one connection per step (in a thread), `%s` parameters, rows as JSON."""

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pymysql

from pieces.framework import PieceError
from pieces.framework.connection import require_connection
from pieces.framework.json_values import to_json
from pieces.mysql.auth import connect, settings
from pieces.mysql.errors import to_piece_error

#: Rows a statement returns at most.
MAX_ROWS = 10_000
_NAME = re.compile(r"^[^`\x00]{1,64}$")


def identifier(text: str) -> str:
    """A column name quoted with backticks (names with a backtick or NUL are refused)."""
    if not _NAME.match(text):
        raise PieceError(f"{text!r} is not a usable column or table name")
    return f"`{text}`"


def table_name(text: str) -> str:
    """`table` or `database.table`, quoted."""
    parts = [part.strip() for part in text.split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise PieceError(f"table {text!r} must be a name or database.name")
    return ".".join(identifier(part) for part in parts)


def parameter(value: Any) -> Any:
    """A value as a query parameter: objects and lists go in as JSON text."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def _execute(auth: dict[str, Any], query: str, args: Sequence[Any]) -> dict[str, Any]:
    conn = connect(auth)
    try:
        with conn.cursor() as cursor:
            count = cursor.execute(query, [parameter(a) for a in args] or None)
            rows = list(cursor.fetchmany(MAX_ROWS)) if cursor.description else []
            return {
                "rows": [to_json(row) for row in rows],
                "rowCount": count,
                "insertId": cursor.lastrowid or None,
            }
    finally:
        conn.close()


async def execute(auth: Mapping[str, Any], query: str, args: Sequence[Any] = ()) -> dict[str, Any]:
    """Runs one statement with `%s` parameters; `{rows, rowCount, insertId}`.

    Raises:
        AuthError: the server refused the credentials or the database.
        PieceError: any other failure, with the server's message.
    """
    require_connection(auth, piece_name="MySQL")
    try:
        return await asyncio.to_thread(_execute, dict(auth), query, list(args))
    except pymysql.MySQLError as err:
        found = settings(dict(auth))
        raise to_piece_error(err, where=f"{found['host']}:{found['port']}") from err
    except (TypeError, ValueError) as err:  # e.g. a %s count that does not match the args
        raise PieceError(f"MySQL: the query and its arguments do not fit together ({err})") from err


def equals_all(where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """`a = %s AND b IS NULL ...` and its parameters."""
    parts, args = [], []
    for column, value in where.items():
        if value is None:
            parts.append(f"{identifier(column)} IS NULL")
        else:
            parts.append(f"{identifier(column)} = %s")
            args.append(value)
    return " AND ".join(parts), args
