"""Cron expressions: validation, and the next fire times in a time zone."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from pieces.framework import PieceError


def time_zone(name: str) -> tzinfo:
    """The IANA time zone, or a PieceError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PieceError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris"
        ) from None


def check_cron(expression: str) -> str:
    """Returns the expression if it is a valid 5-field cron expression, else a PieceError."""
    expression = " ".join(expression.split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise PieceError(
            f"Cron expression {expression!r} is not valid; use 5 fields: "
            "minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5"
        )
    return expression


def next_fire_times(
    expression: str, *, timezone: str, after: datetime, count: int = 1
) -> list[datetime]:
    """The next `count` times the expression fires strictly after `after`, in the time zone.

    Wall-clock times skipped by a daylight-saving change fire at the first valid time after them.

    Args:
        expression: a 5-field cron expression.
        timezone: an IANA time zone name; the expression is read in its local time.
        after: an aware datetime.
        count: how many fire times to return.

    Raises:
        PieceError: the expression or the time zone is not valid.
    """
    zone = time_zone(timezone)
    iterator = croniter(check_cron(expression), after.astimezone(zone))
    return [iterator.get_next(datetime) for _ in range(count)]
