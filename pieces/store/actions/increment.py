"""Increment: add to the number stored under a key (a missing key counts from 0)."""

from pieces.framework import Action, ActionContext, Number, PieceError
from pieces.store.props import KEY, SCOPE, scope


async def _run(ctx: ActionContext) -> float:
    key, where = ctx.props["key"], scope(ctx.props)
    current = await ctx.store.get(key, scope=where)
    if current is None:
        current = 0
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise PieceError(
            f"Key {key!r} holds {type(current).__name__}, not a number; cannot increment"
        )
    updated: float = current + ctx.props["value"]
    await ctx.store.put(key, updated, scope=where)
    return updated


increment = Action(
    name="increment",
    display_name="Increment",
    description="Add a number (1 by default; negative to decrement) to the number under a key.",
    props={"key": KEY, "value": Number(display_name="Increment by", default=1), "scope": SCOPE},
    run=_run,
)
