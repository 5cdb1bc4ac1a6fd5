"""Update Rows: set columns on the rows that match; returns how many changed."""

from typing import Any

from pieces.framework import Action, ActionContext, PieceError
from pieces.mysql.db import equals_all, execute, identifier, table_name
from pieces.mysql.props import TABLE, VALUES, WHERE


async def _run(ctx: ActionContext) -> dict[str, Any]:
    values: dict[str, Any] = ctx.props["values"]
    where: dict[str, Any] = ctx.props["where"]
    if not values:
        raise PieceError("Values: give at least one column to set")
    if not where:
        raise PieceError("Where: give at least one column to match (updating every row is refused)")
    assignments = ", ".join(f"{identifier(column)} = %s" for column in values)
    condition, where_args = equals_all(where)
    query = f"UPDATE {table_name(ctx.props['table'])} SET {assignments} WHERE {condition}"
    result = await execute(ctx.auth, query, [*values.values(), *where_args])
    return {"rowCount": result["rowCount"]}


update_rows = Action(
    name="update_rows",
    display_name="Update Rows",
    description="Set column values on every row whose columns equal the given ones.",
    props={"table": TABLE, "values": VALUES, "where": WHERE},
    run=_run,
)
