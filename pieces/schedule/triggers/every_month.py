"""Every Month: run the flow once a month on a day at an hour."""

from pieces.schedule.props import DAY_OF_MONTH, HOUR, TIMEZONE, schedule_trigger

every_month = schedule_trigger(
    name="every_month",
    display_name="Every Month",
    description="Run the flow every month on the chosen day (1 to 28) and hour.",
    props={"day_of_the_month": DAY_OF_MONTH, "hour_of_the_day": HOUR, "timezone": TIMEZONE},
    cron=lambda props: f"0 {props['hour_of_the_day']} {int(props['day_of_the_month'])} * *",
)
