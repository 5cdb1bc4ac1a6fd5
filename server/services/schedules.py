"""Schedules: firing the due SCHEDULE trigger sources (cron in a time zone) as runs."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.models import FlowRow, FlowRunRow, TriggerSourceRow
from server.services.runs import create_run

log = logging.getLogger(__name__)

#: Schedules fired per scheduler pass at most (the rest wait for the next pass).
BATCH = 100
#: The strategy of sources with a cron schedule.
SCHEDULE = "SCHEDULE"


def next_fire_at(*, cron_expression: str, timezone: str, after: datetime) -> datetime:
    """The first time after `after` the expression fires, read in the time zone's local time."""
    iterator = croniter(cron_expression, after.astimezone(ZoneInfo(timezone)))
    fire: datetime = iterator.get_next(datetime)
    return fire


async def fire_due(session: AsyncSession, *, now: datetime) -> list[str]:
    """Creates a run for every schedule due at `now` and moves each to its next time.

    Several workers may call this at once: each due row is taken by one of them
    (`FOR UPDATE SKIP LOCKED`). A schedule that missed several times while no worker ran fires
    once, then continues from now.

    Returns:
        The ids of the runs created; the caller queues them after committing.
    """
    due = await session.scalars(
        select(TriggerSourceRow)
        .where(TriggerSourceRow.strategy == SCHEDULE, TriggerSourceRow.next_fire_at <= now)
        .order_by(TriggerSourceRow.next_fire_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    runs: list[FlowRunRow] = []
    for schedule in due:
        if schedule.next_fire_at is None or schedule.cron_expression is None:
            continue
        flow = await session.get(FlowRow, schedule.flow_id)
        if flow is not None:
            payload = {"scheduledTime": schedule.next_fire_at.isoformat()}
            runs.append(
                await create_run(
                    session, flow=flow, version_id=schedule.flow_version_id, payload=payload
                )
            )
        schedule.next_fire_at = next_fire_at(
            cron_expression=schedule.cron_expression,
            timezone=schedule.timezone or "UTC",
            after=max(now, schedule.next_fire_at),
        )
    await session.commit()
    return [run.id for run in runs]
