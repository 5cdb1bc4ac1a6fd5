"""Every X Minutes: run the flow every N minutes."""

from pieces.schedule.props import MINUTES, schedule_trigger

every_x_minutes = schedule_trigger(
    name="every_x_minutes",
    display_name="Every X Minutes",
    description="Run the flow every N minutes (1 to 59), starting on the hour.",
    props={"minutes": MINUTES},
    cron=lambda props: f"*/{int(props['minutes'])} * * * *",
)
