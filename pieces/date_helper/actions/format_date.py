"""Format Date: read a date in one format and time zone, write it in another."""

from pieces.date_helper.formats import format_date as write_date
from pieces.date_helper.formats import parse_date, zone
from pieces.date_helper.props import date_prop, format_prop, zone_prop
from pieces.framework import Action, ActionContext


async def _run(ctx: ActionContext) -> str:
    value = parse_date(
        ctx.props["inputDate"], fmt=ctx.props["inputFormat"], tz=zone(ctx.props["inputTimeZone"])
    )
    return write_date(
        value.astimezone(zone(ctx.props["outputTimeZone"])), ctx.props["outputFormat"]
    )


format_date = Action(
    name="format_date",
    effects=False,
    display_name="Format Date",
    description="Convert a date from one format and time zone to another.",
    props={
        "inputDate": date_prop("Input date"),
        "inputFormat": format_prop("Input format", default=""),
        "inputTimeZone": zone_prop("Input time zone"),
        "outputFormat": format_prop("Output format", default="YYYY-MM-DD HH:mm:ss"),
        "outputTimeZone": zone_prop("Output time zone"),
    },
    run=_run,
)
