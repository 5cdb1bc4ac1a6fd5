"""Delete: remove a key."""

from typing import Any

from pieces.framework import Action, ActionContext
from pieces.store.props import KEY, SCOPE, scope


async def _run(ctx: ActionContext) -> dict[str, Any]:
    key, where = ctx.props["key"], scope(ctx.props)
    existed = await ctx.store.get(key, scope=where) is not None
    await ctx.store.delete(key, scope=where)
    return {"key": key, "deleted": existed}


delete = Action(
    name="delete",
    display_name="Delete",
    description="Remove a key and its value; removing a missing key is not an error.",
    props={"key": KEY, "scope": SCOPE},
    run=_run,
)
