"""Update Rows: set columns on the rows that match; returns the updated rows."""

from typing import Any

from psycopg import sql

from pieces.framework import Action, ActionContext, PieceError
from pieces.postgres.db import equals_all, execute, table_name
from pieces.postgres.props import TABLE, VALUES, WHERE


async def _run(ctx: ActionContext) -> dict[str, Any]:
    values: dict[str, Any] = ctx.props["values"]
    where: dict[str, Any] = ctx.props["where"]
    if not values:
        raise PieceError("Values: give at least one column to set")
    if not where:
        raise PieceError("Where: give at least one column to match (updating every row is refused)")
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = ${}").format(sql.Identifier(column), sql.SQL(str(n)))
        for n, column in enumerate(values, start=1)
    )
    condition, where_args = equals_all(where, first=len(values) + 1)
    query = sql.SQL("UPDATE {} SET {} WHERE {} RETURNING *").format(
        table_name(ctx.props["table"]), assignments, condition
    )
    result = await execute(ctx.auth, query, [*values.values(), *where_args])
    return {"rows": result["rows"], "rowCount": result["rowCount"]}


update_rows = Action(
    name="update_rows",
    display_name="Update Rows",
    description="Set column values on every row whose columns equal the given ones.",
    props={"table": TABLE, "values": VALUES, "where": WHERE},
    run=_run,
)
