"""Date Difference: the time between two dates in the units asked for."""

from datetime import datetime
from typing import Any

from pieces.date_helper.formats import parse_date, zone
from pieces.date_helper.props import date_prop, format_prop, zone_prop
from pieces.framework import Action, ActionContext, Option, StaticMultiSelectDropdown

_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


def _months(start: datetime, end: datetime) -> int:
    if end < start:
        return -_months(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if (end.day, end.time()) < (start.day, start.time()):
        months -= 1
    return months


async def _run(ctx: ActionContext) -> dict[str, Any]:
    tz = zone(ctx.props["timeZone"])
    start = parse_date(ctx.props["startDate"], fmt=ctx.props["startDateFormat"], tz=tz)
    end = parse_date(ctx.props["endDate"], fmt=ctx.props["endDateFormat"], tz=tz)
    seconds = (end - start).total_seconds()
    result: dict[str, Any] = {}
    for unit in ctx.props["unitDifference"]:
        if unit in _SECONDS:
            result[unit] = int(seconds / _SECONDS[unit])
        else:
            months = _months(start.astimezone(tz), end.astimezone(tz))
            result[unit] = months if unit == "months" else int(months / 12)
    return result


date_difference = Action(
    name="date_difference",
    effects=False,
    display_name="Date Difference",
    description="The time from a start date to an end date, in whole units (negative if the end is earlier).",
    props={
        "startDate": date_prop("Start date"),
        "startDateFormat": format_prop("Start date format", default=""),
        "endDate": date_prop("End date"),
        "endDateFormat": format_prop("End date format", default=""),
        "unitDifference": StaticMultiSelectDropdown(
            display_name="Units",
            default=["days"],
            options=tuple(Option(label=u.capitalize(), value=u) for u in UNITS),
        ),
        "timeZone": zone_prop(),
    },
    run=_run,
)
