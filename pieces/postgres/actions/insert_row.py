"""Insert Row: one row from column values; returns it as stored (defaults filled in)."""

from typing import Any

from psycopg import sql

from pieces.framework import Action, ActionContext, PieceError
from pieces.postgres.db import execute, table_name
from pieces.postgres.props import TABLE, VALUES


async def _run(ctx: ActionContext) -> dict[str, Any]:
    values: dict[str, Any] = ctx.props["values"]
    if not values:
        raise PieceError("Values: give at least one column")
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
        table_name(ctx.props["table"]),
        sql.SQL(", ").join(sql.Identifier(column) for column in values),
        sql.SQL(", ").join(sql.SQL(f"${n}") for n in range(1, len(values) + 1)),
    )
    result = await execute(ctx.auth, query, list(values.values()))
    return {"row": result["rows"][0] if result["rows"] else None}


insert_row = Action(
    name="insert_row",
    display_name="Insert Row",
    description="Insert a row into a table and return it as stored.",
    props={"table": TABLE, "values": VALUES},
    run=_run,
)
