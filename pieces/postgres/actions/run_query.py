"""Run Query: any SQL statement with `$1, $2, ...` parameters."""

from typing import Any

from pieces.framework import Action, ActionContext, LongText
from pieces.postgres.db import execute
from pieces.postgres.props import ARGS


async def _run(ctx: ActionContext) -> dict[str, Any]:
    return await execute(ctx.auth, ctx.props["query"], ctx.props["args"] or [])


run_query = Action(
    name="run_query",
    display_name="Run Query",
    description="Run a SQL statement; values go in as $1, $2, ... parameters, never pasted in.",
    props={
        "query": LongText(
            display_name="Query",
            description="e.g. SELECT * FROM orders WHERE status = $1 AND total > $2",
            required=True,
        ),
        "args": ARGS,
    },
    run=_run,
)
