"""Delay For: pause the run for an amount of time."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pieces.delay.pause import pause_until
from pieces.framework import Action, ActionContext, Number, Option, StaticDropdown
from pieces.framework.props.validators import min_value

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


async def _run(ctx: ActionContext) -> Any:
    seconds = float(ctx.props["amount"]) * _SECONDS[ctx.props["unit"]]
    return await pause_until(ctx, datetime.now(UTC) + timedelta(seconds=seconds))


delay_for = Action(
    name="delay_for",
    display_name="Delay For",
    description="Pause the run for an amount of time, then go on.",
    props={
        "amount": Number(display_name="Amount", required=True, validators=(min_value(0),)),
        "unit": StaticDropdown(
            display_name="Unit",
            required=True,
            default="seconds",
            options=tuple(Option(label=unit.capitalize(), value=unit) for unit in _SECONDS),
        ),
    },
    run=_run,
)
