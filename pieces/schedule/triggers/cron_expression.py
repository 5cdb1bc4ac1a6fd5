"""Cron Expression: run the flow on a custom cron schedule in a time zone."""

from pieces.framework import ShortText
from pieces.schedule.props import TIMEZONE, schedule_trigger

cron_expression = schedule_trigger(
    name="cron_expression",
    display_name="Cron Expression",
    description="Run the flow on a 5-field cron expression (minute hour day month weekday).",
    props={
        "cronExpression": ShortText(
            display_name="Cron expression", description="e.g. 0 9 * * 1-5", required=True
        ),
        "timezone": TIMEZONE,
    },
    cron=lambda props: str(props["cronExpression"]),
)
