"""Append: add a value to the list stored under a key (a missing key starts a list)."""

from typing import Any

from pieces.framework import Action, ActionContext, PieceError
from pieces.store.props import KEY, SCOPE, VALUE, scope


async def _run(ctx: ActionContext) -> list[Any]:
    key, where = ctx.props["key"], scope(ctx.props)
    current = await ctx.store.get(key, scope=where)
    if current is None:
        current = []
    if not isinstance(current, list):
        raise PieceError(f"Key {key!r} holds {type(current).__name__}, not a list; cannot append")
    updated = [*current, ctx.props["value"]]
    await ctx.store.put(key, updated, scope=where)
    return updated


append = Action(
    name="append",
    display_name="Append to List",
    description="Add a value to the end of the list stored under a key.",
    props={"key": KEY, "value": VALUE, "scope": SCOPE},
    run=_run,
)
