"""Get Current Date: now, in a format and time zone."""

from datetime import UTC, datetime

from pieces.date_helper.formats import format_date, zone
from pieces.date_helper.props import format_prop, zone_prop
from pieces.framework import Action, ActionContext


async def _run(ctx: ActionContext) -> str:
    now = datetime.now(UTC).astimezone(zone(ctx.props["timeZone"]))
    return format_date(now, ctx.props["timeFormat"])


current_date = Action(
    name="current_date",
    effects=False,
    display_name="Get Current Date",
    description="The current date and time, in a format and time zone.",
    props={"timeFormat": format_prop("Format"), "timeZone": zone_prop()},
    run=_run,
)
