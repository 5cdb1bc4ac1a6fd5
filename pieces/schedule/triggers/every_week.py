"""Every Week: run the flow once a week on a day at an hour."""

from pieces.schedule.props import DAY_OF_WEEK, HOUR, TIMEZONE, schedule_trigger

every_week = schedule_trigger(
    name="every_week",
    display_name="Every Week",
    description="Run the flow every week on the chosen day and hour.",
    props={"day_of_the_week": DAY_OF_WEEK, "hour_of_the_day": HOUR, "timezone": TIMEZONE},
    cron=lambda props: f"0 {props['hour_of_the_day']} * * {props['day_of_the_week']}",
)
