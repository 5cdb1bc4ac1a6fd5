"""Delete Rows: delete the rows that match; returns them."""

from typing import Any

from psycopg import sql

from pieces.framework import Action, ActionContext, PieceError
from pieces.postgres.db import equals_all, execute, table_name
from pieces.postgres.props import TABLE, WHERE


async def _run(ctx: ActionContext) -> dict[str, Any]:
    where: dict[str, Any] = ctx.props["where"]
    if not where:
        raise PieceError("Where: give at least one column to match (deleting every row is refused)")
    condition, args = equals_all(where, first=1)
    query = sql.SQL("DELETE FROM {} WHERE {} RETURNING *").format(
        table_name(ctx.props["table"]), condition
    )
    result = await execute(ctx.auth, query, args)
    return {"rows": result["rows"], "rowCount": result["rowCount"]}


delete_rows = Action(
    name="delete_rows",
    display_name="Delete Rows",
    description="Delete every row whose columns equal the given ones.",
    props={"table": TABLE, "where": WHERE},
    run=_run,
)
