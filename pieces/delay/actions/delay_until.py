"""Delay Until: pause the run until a date and time."""

from datetime import UTC, datetime
from typing import Any

from pieces.delay.pause import pause_until
from pieces.framework import Action, ActionContext, DateTime


async def _run(ctx: ActionContext) -> Any:
    moment = datetime.fromisoformat(ctx.props["timestamp"])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return await pause_until(ctx, moment)


delay_until = Action(
    name="delay_until",
    display_name="Delay Until",
    description="Pause the run until a date and time (UTC unless it says otherwise); "
    "a moment in the past goes on at once.",
    props={"timestamp": DateTime(display_name="Date and time", required=True)},
    run=_run,
)
