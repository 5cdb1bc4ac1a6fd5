"""Random Number: a random whole number between a minimum and a maximum, both included."""

import math
import secrets

from pieces.framework import Action, ActionContext, Number, PieceError


async def _run(ctx: ActionContext) -> int:
    low: int = math.ceil(ctx.props["first_number"])
    high: int = math.floor(ctx.props["second_number"])
    if low > high:
        raise PieceError(
            f"Minimum ({ctx.props['first_number']}) must not be above maximum "
            f"({ctx.props['second_number']})"
        )
    return low + secrets.randbelow(high - low + 1)


random_number = Action(
    name="random_number",
    effects=False,
    display_name="Random Number",
    description="A random whole number between the minimum and the maximum, both included.",
    props={
        "first_number": Number(display_name="Minimum", required=True),
        "second_number": Number(display_name="Maximum", required=True),
    },
    run=_run,
)
