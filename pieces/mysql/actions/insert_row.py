"""Insert Row: one row from column values; returns the row as stored when it has an id."""

from typing import Any

from pieces.framework import Action, ActionContext, PieceError
from pieces.mysql.db import execute, identifier, table_name
from pieces.mysql.props import TABLE, VALUES


async def _run(ctx: ActionContext) -> dict[str, Any]:
    values: dict[str, Any] = ctx.props["values"]
    if not values:
        raise PieceError("Values: give at least one column")
    table = table_name(ctx.props["table"])
    columns = ", ".join(identifier(column) for column in values)
    marks = ", ".join(["%s"] * len(values))
    result = await execute(
        ctx.auth, f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
    )
    return {"insertId": result["insertId"], "rowCount": result["rowCount"]}


insert_row = Action(
    name="insert_row",
    display_name="Insert Row",
    description="Insert a row into a table; returns the new AUTO_INCREMENT id.",
    props={"table": TABLE, "values": VALUES},
    run=_run,
)
