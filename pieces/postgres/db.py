"""Running statements: one connection per step, `$1` parameters, rows as JSON objects."""

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from pieces.framework import PieceError
from pieces.framework.connection import require_connection
from pieces.framework.json_values import to_json
from pieces.postgres.auth import connect
from pieces.postgres.errors import to_piece_error

#: Rows a statement returns at most (a step output must stay a reasonable size).
MAX_ROWS = 10_000


def table_name(text: str) -> sql.Identifier:
    """`table` or `schema.table` as a quoted identifier (never pasted into SQL as text)."""
    parts = [part.strip() for part in text.split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise PieceError(f"table {text!r} must be a name or schema.name")
    return sql.Identifier(*parts)


def parameter(value: Any) -> Any:
    """A value as a query parameter: objects and lists go in as JSONB."""
    return Jsonb(value) if isinstance(value, dict | list) else value


async def execute(
    auth: Mapping[str, Any],
    query: str | sql.SQL | sql.Composed,
    args: Sequence[Any] = (),
) -> dict[str, Any]:
    """Runs one statement with `$1, $2, ...` parameters.

    Returns:
        `{rows, rowCount, command}`: rows as objects (empty for statements that return none),
        the number of rows affected or returned, and the command tag (e.g. `INSERT 0 1`).

    Raises:
        AuthError: the server refused the connection's credentials.
        PieceError: any other failure, with the server's message.
    """
    require_connection(auth, piece_name="PostgreSQL")
    try:
        conn = await connect(dict(auth))
    except psycopg.Error as err:
        raise to_piece_error(err) from err
    try:
        # A raw cursor takes PostgreSQL's own `$1` placeholders (as Activepieces' piece does),
        # so a `%` in the query is just a character.
        async with psycopg.AsyncRawCursor(conn, row_factory=dict_row) as cursor:
            await cursor.execute(query, [parameter(a) for a in args] or None)
            rows = await cursor.fetchmany(MAX_ROWS) if cursor.description is not None else []
            return {
                "rows": [to_json(row) for row in rows],
                "rowCount": cursor.rowcount,
                "command": cursor.statusmessage,
            }
    except psycopg.Error as err:
        raise to_piece_error(err) from err
    finally:
        await conn.close()


def equals_all(where: Mapping[str, Any], *, first: int) -> tuple[sql.Composable, list[Any]]:
    """`col1 = $n AND col2 = $n+1 ...` (a None value tests IS NULL) and its parameters."""
    parts: list[sql.Composable] = []
    args: list[Any] = []
    for column, value in where.items():
        if value is None:
            parts.append(sql.SQL("{} IS NULL").format(sql.Identifier(column)))
        else:
            args.append(value)
            parts.append(
                sql.SQL("{} = ${}").format(
                    sql.Identifier(column), sql.SQL(str(first + len(args) - 1))
                )
            )
    return sql.SQL(" AND ").join(parts), args
