"""Run Query: any SQL statement with `%s` parameters."""

from typing import Any

from pieces.framework import Action, ActionContext, LongText
from pieces.mysql.db import execute
from pieces.mysql.props import ARGS


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return await execute(ctx.auth, ctx.props["query"], ctx.props["args"] or [])


run_query = Action(
    name="run_query",
    display_name="Run Query",
    description="Run a SQL statement; values go in as %s parameters, never pasted in.",
    props={
        "query": LongText(
            display_name="Query",
            description="e.g. SELECT * FROM orders WHERE status = %s AND total > %s (write %% for a literal %)",
            required=True,
        ),
        "args": ARGS,
    },
    run=_run,
)
