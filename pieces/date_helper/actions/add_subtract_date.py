"""Add/Subtract Time: move a date by an expression such as "+2 hours -1 day"."""

import calendar
import re
from datetime import UTC, datetime, timedelta

from pieces.date_helper.formats import format_date, parse_date, zone
from pieces.date_helper.props import date_prop, format_prop, zone_prop
from pieces.framework import Action, ActionContext, PieceError, ShortText

_PART = re.compile(r"\s*([+-])\s*(\d+)\s*([a-z]+)\s*", re.IGNORECASE)
#: Elapsed-time units: added in UTC, so "+2 hours" is two real hours across a clock change.
_ELAPSED = {"second": 1, "minute": 60, "hour": 3600}
#: Calendar units: added to the wall clock, so "+1 day" keeps the time of day.
_CALENDAR_DAYS = {"day": 1, "week": 7}


def apply_expression(value: datetime, expression: str) -> datetime:
    """Applies "+N unit" / "-N unit" parts in order (seconds … years; months clamp the day).

    Raises:
        PieceError: a part is not understood; the message quotes it.
    """
    position = 0
    text = expression.strip()
    if not text:
        raise PieceError("Expression is empty; write e.g. +2 hours -1 day")
    while position < len(text):
        match = _PART.match(text, position)
        if match is None:
            raise PieceError(
                f"Expression part {text[position:]!r} is not understood; write e.g. +2 hours -1 day"
            )
        sign, amount = match.group(1), int(match.group(2))
        unit = match.group(3).lower().removesuffix("s")
        signed = amount if sign == "+" else -amount
        if unit in _ELAPSED:
            moved = value.astimezone(UTC) + timedelta(seconds=signed * _ELAPSED[unit])
            value = moved.astimezone(value.tzinfo)
        elif unit in _CALENDAR_DAYS:
            value = value + timedelta(days=signed * _CALENDAR_DAYS[unit])
        elif unit in {"month", "year"}:
            value = _add_months(value, signed * (12 if unit == "year" else 1))
        else:
            raise PieceError(f"Unit {match.group(3)!r} is not one of seconds … years")
        position = match.end()
    return value


def _add_months(value: datetime, months: int) -> datetime:
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


async def _run(ctx: ActionContext) -> str:
    tz = zone(ctx.props["timeZone"])
    value = parse_date(ctx.props["inputDate"], fmt=ctx.props["inputFormat"], tz=tz)
    moved = apply_expression(value.astimezone(tz), ctx.props["expression"])
    return format_date(moved, ctx.props["outputFormat"])


add_subtract_date = Action(
    name="add_subtract_date",
    effects=False,
    display_name="Add/Subtract Time",
    description="Add or subtract seconds, minutes, hours, days, weeks, months or years.",
    props={
        "inputDate": date_prop("Input date"),
        "inputFormat": format_prop("Input format", default=""),
        "expression": ShortText(
            display_name="Expression",
            description="Signed amounts and units, applied in order: +2 hours -1 day +1 month",
            required=True,
        ),
        "outputFormat": format_prop("Output format"),
        "timeZone": zone_prop(),
    },
    run=_run,
)
