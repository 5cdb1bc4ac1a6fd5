"""Get: read the value under a key, or a default value."""

from typing import Any

from pieces.framework import Action, ActionContext
from pieces.store.props import DEFAULT_VALUE, KEY, SCOPE, scope


async def _run(ctx: ActionContext) -> Any:
    value = await ctx.store.get(ctx.props["key"], scope=scope(ctx.props))
    return ctx.props["defaultValue"] if value is None else value


get = Action(
    name="get",
    display_name="Get",
    description="Read the value stored under a key; the default value when there is none.",
    props={"key": KEY, "defaultValue": DEFAULT_VALUE, "scope": SCOPE},
    run=_run,
)
