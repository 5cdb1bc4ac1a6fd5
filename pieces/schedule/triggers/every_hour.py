"""Every Hour: run the flow at the start of every hour."""

from pieces.schedule.props import RUN_ON_WEEKENDS, TIMEZONE, days_of_week, schedule_trigger

every_hour = schedule_trigger(
    name="every_hour",
    display_name="Every Hour",
    description="Run the flow at minute 0 of every hour.",
    props={"run_on_weekends": RUN_ON_WEEKENDS, "timezone": TIMEZONE},
    cron=lambda props: f"0 * * * {days_of_week(props)}",
)
