"""Props the date actions share: dates, formats and time zones."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pieces.framework import ShortText


def _known_zone(value: Any) -> str | None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return f"is not a known time zone: {value!r} (use an IANA name such as Europe/Paris)"
    return None


_FORMAT_HELP = (
    "Day.js tokens, e.g. YYYY-MM-DD HH:mm:ss or DD/MM/YYYY; ISO for ISO 8601, "
    "X for Unix seconds, x for milliseconds."
)


def date_prop(display_name: str = "Date") -> ShortText:
    """A date input: ISO 8601, a Unix timestamp, or text in the input format."""
    return ShortText(display_name=display_name, required=True)


def format_prop(display_name: str, *, default: str = "ISO", required: bool = False) -> ShortText:
    """A Day.js format."""
    return ShortText(
        display_name=display_name, description=_FORMAT_HELP, default=default, required=required
    )


def zone_prop(display_name: str = "Time zone") -> ShortText:
    """An IANA time zone, UTC by default."""
    return ShortText(display_name=display_name, default="UTC", validators=(_known_zone,))
