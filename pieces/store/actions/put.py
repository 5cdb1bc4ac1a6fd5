"""Put: store a value under a key."""

from typing import Any

from pieces.framework import Action, ActionContext
from pieces.store.props import KEY, SCOPE, VALUE, scope


async def _run(ctx: ActionContext) -> Any:
    return await ctx.store.put(ctx.props["key"], ctx.props["value"], scope=scope(ctx.props))


put = Action(
    name="put",
    display_name="Put",
    description="Store a value under a key; later runs and steps can read it.",
    props={"key": KEY, "value": VALUE, "scope": SCOPE},
    run=_run,
)
