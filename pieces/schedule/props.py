"""Props the schedule triggers share, and the trigger built from a props-to-cron function."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pieces.framework import (
    Checkbox,
    Number,
    Option,
    Prop,
    ShortText,
    StaticDropdown,
    Trigger,
    TriggerContext,
    TriggerStrategy,
    validators,
)
from pieces.schedule.cron import check_cron, time_zone

TIMEZONE = ShortText(
    display_name="Time zone", description="An IANA name such as Europe/Paris.", default="UTC"
)
HOUR = StaticDropdown(
    display_name="Hour of the day",
    default=9,
    options=tuple(Option(label=f"{h:02d}:00", value=h) for h in range(24)),
)
RUN_ON_WEEKENDS = Checkbox(display_name="Run on weekends (Sat, Sun)", default=True)
WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
DAY_OF_WEEK = StaticDropdown(
    display_name="Day of the week",
    default=1,
    options=tuple(Option(label=name, value=index) for index, name in enumerate(WEEKDAYS)),
)
DAY_OF_MONTH = Number(
    display_name="Day of the month",
    description="1 to 28, so every month has it.",
    default=1,
    validators=(validators.min_value(1), validators.max_value(28)),
)
MINUTES = Number(
    display_name="Minutes",
    description="Every how many minutes, 1 to 59.",
    default=5,
    validators=(validators.min_value(1), validators.max_value(59)),
)

SAMPLE = {"scheduledTime": "2026-01-31T09:00:00+00:00"}


def days_of_week(props: Mapping[str, Any]) -> str:
    """`*`, or Monday to Friday when weekends are off."""
    return "*" if props.get("run_on_weekends", True) else "1-5"


def schedule_trigger(
    *,
    name: str,
    display_name: str,
    description: str,
    props: Mapping[str, Prop],
    cron: Callable[[Mapping[str, Any]], str],
) -> Trigger:
    """A schedule trigger: `on_enable` sets the cron expression `cron(props)` in the time zone.

    Each tick's payload is `{scheduledTime}` (set by the scheduler); the output is that payload.
    """

    async def on_enable(ctx: TriggerContext) -> None:
        timezone = str(ctx.props.get("timezone") or "UTC")
        time_zone(timezone)
        ctx.schedule.set(cron_expression=check_cron(cron(ctx.props)), timezone=timezone)

    async def run(ctx: TriggerContext) -> list[Any]:
        payload = ctx.payload if isinstance(ctx.payload, dict) else {}
        scheduled = payload.get("scheduledTime") or datetime.now(UTC).isoformat()
        return [{"scheduledTime": scheduled}]

    return Trigger(
        name=name,
        display_name=display_name,
        description=description,
        type=TriggerStrategy.POLLING,
        props=props,
        run=run,
        on_enable=on_enable,
        sample_data=SAMPLE,
    )
