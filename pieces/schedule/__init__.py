"""The Schedule piece: start flows on a timetable (every N minutes, daily, weekly, cron)."""

from pieces.framework import Piece
from pieces.schedule.triggers.cron_expression import cron_expression
from pieces.schedule.triggers.every_day import every_day
from pieces.schedule.triggers.every_hour import every_hour
from pieces.schedule.triggers.every_month import every_month
from pieces.schedule.triggers.every_week import every_week
from pieces.schedule.triggers.every_x_minutes import every_x_minutes

piece = Piece(
    name="schedule",
    display_name="Schedule",
    version="0.1.0",
    description="Trigger flows on a schedule: every few minutes, hourly, daily, weekly, monthly or by cron.",
    logo="schedule.svg",
    categories=("CORE",),
    triggers=(every_x_minutes, every_hour, every_day, every_week, every_month, cron_expression),
)

__all__ = ["piece"]
