"""Date Helper: formats, time zones, arithmetic, differences and parts, with clear errors."""

from datetime import UTC, datetime, timedelta

import pytest

from pieces.date_helper.actions.add_subtract_date import add_subtract_date
from pieces.date_helper.actions.current_date import current_date
from pieces.date_helper.actions.date_difference import date_difference
from pieces.date_helper.actions.extract_date_parts import extract_date_parts
from pieces.date_helper.actions.format_date import format_date
from pieces.date_helper.formats import parse_date
from pieces.framework import PieceError, PropsValidationError
from pieces.framework.testing import run_action


async def test_current_date_is_now_in_the_time_zone() -> None:
    output = (await run_action(current_date, {"timeZone": "Asia/Tokyo"})).output
    now = datetime.fromisoformat(output)
    assert now.utcoffset() == timedelta(hours=9)
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5
    unix = (await run_action(current_date, {"timeFormat": "X"})).output
    assert abs(int(unix) - datetime.now(UTC).timestamp()) < 5


async def test_format_date_converts_format_and_time_zone() -> None:
    props = {
        "inputDate": "31/01/2026 11:30 PM",
        "inputFormat": "DD/MM/YYYY h:mm A",
        "inputTimeZone": "America/New_York",
        "outputFormat": "dddd D MMMM YYYY [at] HH:mm Z",
        "outputTimeZone": "Europe/Paris",
    }
    output = (await run_action(format_date, props)).output
    assert output == "Sunday 1 February 2026 at 05:30 +01:00"


async def test_format_date_reads_iso_and_timestamps_by_default() -> None:
    for value in ("2026-01-31T09:00:00Z", "1769850000", "1769850000000"):
        output = await run_action(format_date, {"inputDate": value})
        assert output.output == "2026-01-31 09:00:00", value


async def test_wrong_dates_formats_and_zones_are_named() -> None:
    with pytest.raises(PieceError, match="does not match the format 'YYYY-MM-DD'"):
        await run_action(format_date, {"inputDate": "31.01.2026", "inputFormat": "YYYY-MM-DD"})
    with pytest.raises(PieceError, match="is not ISO 8601"):
        await run_action(format_date, {"inputDate": "yesterday"})
    with pytest.raises(PropsValidationError) as caught:
        await run_action(format_date, {"inputDate": "2026-01-01", "outputTimeZone": "Mars/Base"})
    assert caught.value.errors == {
        "outputTimeZone": "Output time zone is not a known time zone: 'Mars/Base' "
        "(use an IANA name such as Europe/Paris)"
    }


async def test_add_subtract_applies_parts_in_order_and_clamps_months() -> None:
    props = {"inputDate": "2026-01-31T10:00:00Z", "expression": "+1 month -2 hours +30 minutes"}
    output = (
        await run_action(add_subtract_date, {**props, "outputFormat": "YYYY-MM-DD HH:mm"})
    ).output
    assert output == "2026-02-28 08:30"
    years = await run_action(add_subtract_date, {**props, "expression": "- 1 year +1 week"})
    assert years.output == "2025-02-07T10:00:00+00:00"
    with pytest.raises(PieceError, match="Unit 'fortnights' is not one of"):
        await run_action(add_subtract_date, {**props, "expression": "+2 fortnights"})
    with pytest.raises(PieceError, match="'tomorrow' is not understood"):
        await run_action(add_subtract_date, {**props, "expression": "tomorrow"})


async def test_add_subtract_keeps_wall_time_across_daylight_saving() -> None:
    props = {
        "inputDate": "2026-03-28 12:00",
        "inputFormat": "YYYY-MM-DD HH:mm",
        "expression": "+1 day",
        "timeZone": "Europe/Paris",
        "outputFormat": "YYYY-MM-DD HH:mm Z",
    }
    assert (await run_action(add_subtract_date, props)).output == "2026-03-29 12:00 +02:00"
    hours = await run_action(add_subtract_date, {**props, "expression": "+24 hours"})
    assert hours.output == "2026-03-29 13:00 +02:00"


async def test_date_difference_in_several_units() -> None:
    props = {
        "startDate": "2026-01-31T00:00:00Z",
        "endDate": "2026-03-30T12:00:00Z",
        "unitDifference": ["months", "weeks", "days", "hours", "years"],
    }
    assert (await run_action(date_difference, props)).output == {
        "months": 1,
        "weeks": 8,
        "days": 58,
        "hours": 1404,
        "years": 0,
    }
    back = await run_action(
        date_difference, {**props, "startDate": props["endDate"], "endDate": props["startDate"]}
    )
    assert back.output["days"] == -58
    assert back.output["months"] == -1


async def test_extract_date_parts_in_the_time_zone() -> None:
    props = {
        "inputDate": "2026-01-31T23:30:00Z",
        "timeZone": "Europe/Paris",
        "unitExtract": ["year", "month", "day", "hour", "dayOfWeek", "isoWeek"],
    }
    assert (await run_action(extract_date_parts, props)).output == {
        "year": 2026,
        "month": 2,
        "day": 1,
        "hour": 0,
        "dayOfWeek": "Sunday",
        "isoWeek": 5,
    }


def test_parse_two_digit_years_and_month_abbreviations() -> None:
    parsed = parse_date("5 Mar 26", fmt="D MMM YY")
    assert parsed == datetime(2026, 3, 5, tzinfo=UTC)


def test_parse_fills_a_missing_year_and_reads_offsets_and_timestamps() -> None:
    assert parse_date("09:15", fmt="HH:mm").year == datetime.now(UTC).year
    assert parse_date("1 Jan 99", fmt="D MMM YY").year == 1999
    offset = parse_date("2026-01-31 09:00 +0530", fmt="YYYY-MM-DD HH:mm ZZ")
    assert offset.utcoffset() == timedelta(hours=5, minutes=30)
    assert parse_date("1769850000", fmt="X") == datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def test_parse_errors_name_the_problem() -> None:
    with pytest.raises(PieceError, match="is not a valid date for 'MMMM D, YYYY'"):
        parse_date("Smarch 5, 2026", fmt="MMMM D, YYYY")
    with pytest.raises(PieceError, match="is not a valid date"):
        parse_date("2026-02-30", fmt="YYYY-MM-DD")
    with pytest.raises(PieceError, match="repeats a part of the date"):
        parse_date("01 1", fmt="MM M")
    with pytest.raises(PieceError, match="is not a Unix timestamp"):
        parse_date("soon", fmt="x")
