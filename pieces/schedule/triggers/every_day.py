"""Every Day: run the flow once a day at an hour, in a time zone."""

from pieces.schedule.props import HOUR, RUN_ON_WEEKENDS, TIMEZONE, days_of_week, schedule_trigger

every_day = schedule_trigger(
    name="every_day",
    display_name="Every Day",
    description="Run the flow every day at the chosen hour.",
    props={"hour_of_the_day": HOUR, "timezone": TIMEZONE, "run_on_weekends": RUN_ON_WEEKENDS},
    cron=lambda props: f"0 {props['hour_of_the_day']} * * {days_of_week(props)}",
)
