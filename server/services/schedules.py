"""Trigger activation and schedules: turning a published flow's trigger on and off, and firing due schedules."""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTrigger, load_flow
from engine.model.resources import FlowStatus
from engine.runtime.errors import EngineError
from engine.runtime.trigger_input import trigger_input
from pieces.framework import (
    NetworkPolicy,
    PieceError,
    PieceRegistry,
    ServerInfo,
    TriggerContext,
    TriggerSchedule,
    create_http_client,
)
from server.db.base import utcnow
from server.db.models import FlowRow, FlowRunRow, FlowVersionRow, TriggerScheduleRow
from server.secrets_box import SecretBox
from server.services.database_store import DatabaseStore
from server.services.errors import InvalidRequestError
from server.services.oauth2_refresh import fresh_connection_values
from server.services.runs import create_run

log = logging.getLogger(__name__)

#: Schedules fired per scheduler pass at most (the rest wait for the next pass).
BATCH = 100


def next_fire_at(*, cron_expression: str, timezone: str, after: datetime) -> datetime:
    """The first time after `after` the expression fires, read in the time zone's local time."""
    iterator = croniter(cron_expression, after.astimezone(ZoneInfo(timezone)))
    fire: datetime = iterator.get_next(datetime)
    return fire


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerEnvironment:
    """What turning a trigger on needs besides the flow: connections, the store, the server URL."""

    sessions: Callable[[], AsyncSession]
    box: SecretBox
    public_url: str


async def sync_trigger(
    session: AsyncSession,
    *,
    registry: PieceRegistry,
    flow: FlowRow,
    environment: TriggerEnvironment | None = None,
) -> None:
    """Turns the flow's trigger on (enabled and published) or off, keeping its schedule row in step.

    Called inside the caller's transaction, before its commit.

    Raises:
        InvalidRequestError: the trigger refused to turn on (bad props, bad cron or time zone).
    """
    await session.execute(delete(TriggerScheduleRow).where(TriggerScheduleRow.flow_id == flow.id))
    if flow.status != FlowStatus.ENABLED or flow.published_version_id is None:
        return
    version = await session.get(FlowVersionRow, flow.published_version_id)
    if version is None:
        return
    document = load_flow(version.definition)
    if not isinstance(document.trigger, PieceTrigger) or not document.trigger.settings.trigger_name:
        return
    settings = document.trigger.settings
    trigger_name = settings.trigger_name
    if trigger_name is None:
        return
    schedule = TriggerSchedule()
    try:
        piece = registry.get(settings.piece_name, settings.piece_version)
        trigger = piece.trigger(trigger_name)
        if trigger.on_enable is None:
            return
        connections: dict[str, Any] = {}
        if environment is not None and "connections" in json.dumps(settings.input):
            connections = await fresh_connection_values(
                session, box=environment.box, registry=registry, project_id=flow.project_id
            )
        given = await trigger_input(piece, trigger, settings.input, connections)
        async with create_http_client(NetworkPolicy.from_env()) as http:
            await trigger.on_enable(
                TriggerContext(
                    props=given.props,
                    auth=given.auth,
                    http=http,
                    schedule=schedule,
                    **_environment_context(environment, flow),
                )
            )
        if schedule.cron_expression is None:
            return
        first = next_fire_at(
            cron_expression=schedule.cron_expression, timezone=schedule.timezone, after=utcnow()
        )
    except (PieceError, EngineError) as err:
        raise InvalidRequestError(
            f"The trigger could not be turned on: {err.message}", code="TRIGGER_ENABLE_FAILED"
        ) from err
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise InvalidRequestError(
            f"The trigger's schedule is not valid: {err}", code="TRIGGER_ENABLE_FAILED"
        ) from err
    session.add(
        TriggerScheduleRow(
            flow_id=flow.id,
            flow_version_id=version.id,
            cron_expression=schedule.cron_expression,
            timezone=schedule.timezone,
            next_fire_at=first,
        )
    )


def _environment_context(environment: TriggerEnvironment | None, flow: FlowRow) -> dict[str, Any]:
    if environment is None:
        return {}
    public_url = environment.public_url.rstrip("/")
    return {
        "store": DatabaseStore(
            sessions=environment.sessions, project_id=flow.project_id, flow_id=flow.id
        ),
        "webhook_url": f"{public_url}/api/v1/webhooks/{flow.id}",
        "server": ServerInfo(public_url=public_url),
    }


async def fire_due(session: AsyncSession, *, now: datetime) -> list[str]:
    """Creates a run for every schedule due at `now` and moves each to its next time.

    Several workers may call this at once: each due row is taken by one of them
    (`FOR UPDATE SKIP LOCKED`). A schedule that missed several times while no worker ran fires
    once, then continues from now.

    Returns:
        The ids of the runs created; the caller queues them after committing.
    """
    due = await session.scalars(
        select(TriggerScheduleRow)
        .where(TriggerScheduleRow.next_fire_at <= now)
        .order_by(TriggerScheduleRow.next_fire_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    runs: list[FlowRunRow] = []
    for schedule in due:
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
            timezone=schedule.timezone,
            after=max(now, schedule.next_fire_at),
        )
    await session.commit()
    return [run.id for run in runs]
