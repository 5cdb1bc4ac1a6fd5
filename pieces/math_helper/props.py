"""The two operands every math action takes, and the arithmetic they share."""

from collections.abc import Callable, Mapping
from typing import Any

from pieces.framework import Action, ActionContext, Number, Prop

#: The operands, keyed as in Activepieces (first_number, second_number).
OPERANDS: Mapping[str, Prop] = {
    "first_number": Number(display_name="First number", required=True),
    "second_number": Number(display_name="Second number", required=True),
}


def binary_action(
    *, name: str, display_name: str, description: str, apply: Callable[[Any, Any], Any]
) -> Action:
    """An action that applies `apply` to the two operands and returns the result."""

    async def run(ctx: ActionContext) -> Any:
        return apply(ctx.props["first_number"], ctx.props["second_number"])

    return Action(
        name=name,
        display_name=display_name,
        description=description,
        props=OPERANDS,
        run=run,
        effects=False,
    )
