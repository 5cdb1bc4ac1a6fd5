"""Delete Rows: delete the rows that match; returns how many went."""

from typing import Any

from pieces.framework import Action, ActionContext, PieceError
from pieces.mysql.db import equals_all, execute, table_name
from pieces.mysql.props import TABLE, WHERE


async def _run(ctx: ActionContext) -> dict[str, Any]:
    where: dict[str, Any] = ctx.props["where"]
    if not where:
        raise PieceError("Where: give at least one column to match (deleting every row is refused)")
    condition, args = equals_all(where)
    result = await execute(
        ctx.auth, f"DELETE FROM {table_name(ctx.props['table'])} WHERE {condition}", args
    )
    return {"rowCount": result["rowCount"]}


delete_rows = Action(
    name="delete_rows",
    display_name="Delete Rows",
    description="Delete every row whose columns equal the given ones.",
    props={"table": TABLE, "where": WHERE},
    run=_run,
)
