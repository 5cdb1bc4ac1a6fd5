"""Date formats in Day.js tokens (as Activepieces flows write them), for formatting and parsing.

Tokens: YYYY YY MMMM MMM MM M DD D dddd ddd HH H hh h mm m ss s SSS A a Z ZZ, text in [brackets]
is literal. Whole formats: ISO (ISO 8601), X (Unix seconds), x (Unix milliseconds).
"""

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pieces.framework import PieceError

ISO = "ISO"
_TOKEN = re.compile(
    r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z"
)


def _offset(dt: datetime, sep: str) -> str:
    delta = dt.utcoffset() or timedelta()
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{sep}{mins:02d}"


_FORMATTERS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "MMMM": lambda d: calendar.month_name[d.month],
    "MMM": lambda d: calendar.month_abbr[d.month],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "DD": lambda d: f"{d.day:02d}",
    "D": lambda d: str(d.day),
    "dddd": lambda d: calendar.day_name[d.weekday()],
    "ddd": lambda d: calendar.day_abbr[d.weekday()],
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
    "h": lambda d: str((d.hour % 12) or 12),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSS": lambda d: f"{d.microsecond // 1000:03d}",
    "A": lambda d: "PM" if d.hour >= 12 else "AM",
    "a": lambda d: "pm" if d.hour >= 12 else "am",
    "Z": lambda d: _offset(d, ":"),
    "ZZ": lambda d: _offset(d, ""),
}

_PARSERS: dict[str, str] = {
    "YYYY": r"(?P<year>\d{4})",
    "YY": r"(?P<year2>\d{2})",
    "MMMM": r"(?P<month_name>[A-Za-z]+)",
    "MMM": r"(?P<month_abbr>[A-Za-z]{3})",
    "MM": r"(?P<month>\d{2})",
    "M": r"(?P<month>\d{1,2})",
    "DD": r"(?P<day>\d{2})",
    "D": r"(?P<day>\d{1,2})",
    "dddd": r"[A-Za-z]+",
    "ddd": r"[A-Za-z]{3}",
    "HH": r"(?P<hour>\d{2})",
    "H": r"(?P<hour>\d{1,2})",
    "hh": r"(?P<hour12>\d{2})",
    "h": r"(?P<hour12>\d{1,2})",
    "mm": r"(?P<minute>\d{2})",
    "m": r"(?P<minute>\d{1,2})",
    "ss": r"(?P<second>\d{2})",
    "s": r"(?P<second>\d{1,2})",
    "SSS": r"(?P<millis>\d{3})",
    "A": r"(?P<ampm>AM|PM|am|pm)",
    "a": r"(?P<ampm>AM|PM|am|pm)",
    "Z": r"(?P<offset>Z|[+-]\d{2}:\d{2})",
    "ZZ": r"(?P<offset>Z|[+-]\d{4})",
}


def zone(name: str) -> tzinfo:
    """The time zone with this IANA name ('UTC', 'Europe/Paris'), or a PieceError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PieceError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris"
        ) from None


def format_date(value: datetime, fmt: str) -> str:
    """Writes a date in a Day.js format (or ISO, X, x)."""
    if fmt == ISO:
        return value.isoformat()
    if fmt == "X":
        return str(int(value.timestamp()))
    if fmt == "x":
        return str(int(value.timestamp() * 1000))

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        return text[1:-1] if text.startswith("[") else _FORMATTERS[text](value)

    return _TOKEN.sub(token, fmt)


def parse_date(text: str, *, fmt: str = "", tz: tzinfo = UTC) -> datetime:
    """Reads a date; with no format, ISO 8601 or a Unix timestamp. A date without an offset is in `tz`.

    Raises:
        PieceError: the text does not fit the format; the message shows both.
    """
    text = str(text).strip()
    if fmt in {"", ISO}:
        parsed = _parse_default(text)
    elif fmt in {"X", "x"}:
        parsed = _from_timestamp(text, millis=fmt == "x")
    else:
        parsed = _parse_tokens(text, fmt, tz)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _parse_default(text: str) -> datetime:
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _from_timestamp(text, millis=abs(float(text)) >= 1e11)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise PieceError(
            f"Date {text!r} is not ISO 8601 (2026-01-31T09:00:00Z) or a Unix timestamp; "
            "set the input format"
        ) from None


def _from_timestamp(text: str, *, millis: bool) -> datetime:
    try:
        number = float(text)
    except ValueError:
        raise PieceError(f"Date {text!r} is not a Unix timestamp") from None
    return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)


def _parse_tokens(text: str, fmt: str, tz: tzinfo) -> datetime:
    pattern = ""
    last = 0
    for match in _TOKEN.finditer(fmt):
        pattern += re.escape(fmt[last : match.start()])
        token = match.group(0)
        pattern += re.escape(token[1:-1]) if token.startswith("[") else _PARSERS[token]
        last = match.end()
    pattern += re.escape(fmt[last:])
    try:
        found = re.fullmatch(pattern, text)
    except re.error:
        raise PieceError(f"Format {fmt!r} repeats a part of the date") from None
    if found is None:
        raise PieceError(f"Date {text!r} does not match the format {fmt!r}")
    try:
        return _build(found.groupdict(), tz)
    except (ValueError, KeyError) as err:
        raise PieceError(f"Date {text!r} is not a valid date for {fmt!r}: {err}") from None


def _build(parts: dict[str, str | None], tz: tzinfo) -> datetime:
    four_digits, two_digits = parts.get("year"), parts.get("year2")
    if four_digits:
        year = int(four_digits)
    elif two_digits:
        # As strptime's %y and Day.js: 69-99 are the 1900s, 00-68 the 2000s.
        year = int(two_digits) + (1900 if int(two_digits) >= 69 else 2000)
    else:
        year = datetime.now(tz).year
    month = int(parts.get("month") or 1)
    if parts.get("month_name"):
        month = list(calendar.month_name).index(str(parts["month_name"]).capitalize())
    elif parts.get("month_abbr"):
        month = list(calendar.month_abbr).index(str(parts["month_abbr"]).capitalize())
    hour = int(parts.get("hour") or 0)
    if parts.get("hour12"):
        hour = int(str(parts["hour12"])) % 12 + (
            12 if str(parts.get("ampm")).lower() == "pm" else 0
        )
    return datetime(
        year,
        month,
        int(parts.get("day") or 1),
        hour,
        int(parts.get("minute") or 0),
        int(parts.get("second") or 0),
        int(parts.get("millis") or 0) * 1000,
        tzinfo=_offset_zone(offset) if (offset := parts.get("offset")) else tz,
    )


def _offset_zone(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
