"""Schedule: each trigger's cron expression, time zones, next fire times and bad input."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pieces.framework import PieceError, PropsValidationError, Trigger
from pieces.framework.testing import enable_trigger, run_trigger
from pieces.schedule import piece
from pieces.schedule.cron import next_fire_times
from pieces.schedule.triggers.cron_expression import cron_expression
from pieces.schedule.triggers.every_day import every_day
from pieces.schedule.triggers.every_hour import every_hour
from pieces.schedule.triggers.every_month import every_month
from pieces.schedule.triggers.every_week import every_week
from pieces.schedule.triggers.every_x_minutes import every_x_minutes


@pytest.mark.parametrize(
    ("trigger", "props", "cron", "timezone"),
    [
        (every_x_minutes, {"minutes": "15"}, "*/15 * * * *", "UTC"),
        (every_hour, {"run_on_weekends": False}, "0 * * * 1-5", "UTC"),
        (
            every_day,
            {"hour_of_the_day": 7, "timezone": "Europe/Paris"},
            "0 7 * * *",
            "Europe/Paris",
        ),
        (every_week, {"day_of_the_week": 5, "hour_of_the_day": 18}, "0 18 * * 5", "UTC"),
        (every_month, {"day_of_the_month": 28}, "0 9 28 * *", "UTC"),
        (
            cron_expression,
            {"cronExpression": " 0  9 * * 1-5 ", "timezone": "Asia/Tokyo"},
            "0 9 * * 1-5",
            "Asia/Tokyo",
        ),
    ],
)
async def test_enabling_sets_the_cron_expression(
    trigger: Trigger, props: dict[str, Any], cron: str, timezone: str
) -> None:
    schedule = await enable_trigger(trigger, props)
    assert (schedule.cron_expression, schedule.timezone) == (cron, timezone)


async def test_bad_cron_and_time_zone_are_clear() -> None:
    with pytest.raises(
        PieceError, match="Cron expression '61 \\* \\* \\* \\*' is not valid; use 5 fields"
    ):
        await enable_trigger(cron_expression, {"cronExpression": "61 * * * *"})
    with pytest.raises(PieceError, match="use 5 fields"):
        await enable_trigger(cron_expression, {"cronExpression": "0 0 9 * * 1"})
    with pytest.raises(PieceError, match="Unknown time zone 'Mars/Base'"):
        await enable_trigger(every_day, {"timezone": "Mars/Base"})
    with pytest.raises(PropsValidationError) as caught:
        await enable_trigger(every_x_minutes, {"minutes": 90})
    assert caught.value.errors == {"minutes": "Minutes must be at most 59, got 90"}
    with pytest.raises(PropsValidationError, match="Cron expression is required"):
        await enable_trigger(cron_expression, {})


async def test_a_tick_outputs_its_scheduled_time() -> None:
    items = await run_trigger(every_hour, payload={"scheduledTime": "2026-01-31T09:00:00+00:00"})
    assert items == [{"scheduledTime": "2026-01-31T09:00:00+00:00"}]
    (item,) = await run_trigger(every_hour)
    assert (
        abs((datetime.fromisoformat(item["scheduledTime"]) - datetime.now(UTC)).total_seconds()) < 5
    )


def test_next_fire_times_follow_the_time_zone() -> None:
    # Friday 23:00 UTC is 18:00 in New York: past that day's 09:00, so Monday comes next.
    after = datetime(2026, 1, 30, 23, 0, tzinfo=UTC)
    times = next_fire_times("0 9 * * 1-5", timezone="America/New_York", after=after, count=2)
    assert [t.isoformat() for t in times] == [
        "2026-02-02T09:00:00-05:00",
        "2026-02-03T09:00:00-05:00",
    ]
    early = datetime(2026, 1, 30, 13, 0, tzinfo=UTC)
    (first,) = next_fire_times("0 9 * * 1-5", timezone="America/New_York", after=early)
    assert first.isoformat() == "2026-01-30T09:00:00-05:00"


def test_next_fire_times_keep_wall_time_across_daylight_saving() -> None:
    paris = ZoneInfo("Europe/Paris")
    after = datetime(2026, 3, 28, 12, 0, tzinfo=paris)
    times = next_fire_times("0 9 * * *", timezone="Europe/Paris", after=after, count=2)
    assert [t.isoformat() for t in times] == [
        "2026-03-29T09:00:00+02:00",
        "2026-03-30T09:00:00+02:00",
    ]
    every_15 = next_fire_times("*/15 * * * *", timezone="UTC", after=after, count=2)
    assert [t.astimezone(UTC).strftime("%H:%M") for t in every_15] == ["11:15", "11:30"]


def test_piece_has_the_six_contract_triggers() -> None:
    assert [t.name for t in piece.triggers] == [
        "every_x_minutes",
        "every_hour",
        "every_day",
        "every_week",
        "every_month",
        "cron_expression",
    ]
