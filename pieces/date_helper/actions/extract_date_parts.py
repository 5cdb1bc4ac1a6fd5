"""Extract Date Parts: the year, month, day, weekday, ... of a date."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pieces.date_helper.formats import parse_date, zone
from pieces.date_helper.props import date_prop, format_prop, zone_prop
from pieces.framework import Action, ActionContext, Option, StaticMultiSelectDropdown

PARTS: dict[str, Callable[[datetime], Any]] = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "hour": lambda d: d.hour,
    "minute": lambda d: d.minute,
    "second": lambda d: d.second,
    "dayOfWeek": lambda d: d.strftime("%A"),
    "isoWeekday": lambda d: d.isoweekday(),
    "isoWeek": lambda d: d.isocalendar().week,
    "dayOfYear": lambda d: d.timetuple().tm_yday,
    "unixTime": lambda d: int(d.timestamp()),
}


async def _run(ctx: ActionContext) -> dict[str, Any]:
    tz = zone(ctx.props["timeZone"])
    value = parse_date(ctx.props["inputDate"], fmt=ctx.props["inputFormat"], tz=tz).astimezone(tz)
    return {part: PARTS[part](value) for part in ctx.props["unitExtract"]}


extract_date_parts = Action(
    name="extract_date_parts",
    effects=False,
    display_name="Extract Date Parts",
    description="Pick parts of a date (year, month, day, weekday, week, ...) in a time zone.",
    props={
        "inputDate": date_prop("Input date"),
        "inputFormat": format_prop("Input format", default=""),
        "unitExtract": StaticMultiSelectDropdown(
            display_name="Parts",
            default=["year", "month", "day"],
            options=tuple(Option(label=name, value=name) for name in PARTS),
        ),
        "timeZone": zone_prop(),
    },
    run=_run,
)
