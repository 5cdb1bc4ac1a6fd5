"""Trigger sources: turning an enabled flow's trigger on (`on_enable`) and off (`on_disable`).

Each enabled, published flow has one `trigger_sources` row, made after its trigger's
`on_enable` succeeded: WEBHOOK and APP_WEBHOOK sources wait for requests, POLLING ones are polled,
SCHEDULE ones (a trigger that set a cron in `on_enable`) fire on their schedule. Turning the flow
off, deleting it or publishing another version while it is on calls the old trigger's
`on_disable` with the same environment; a failing `on_disable` is logged and shown on the flow
(`triggerError`) but never stops the change.
"""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTrigger, load_flow
from engine.model.resources import FlowStatus
from engine.runtime.errors import EngineError
from pieces.framework import PieceError, PieceRegistry, TriggerSchedule, TriggerStrategy
from server.db.base import utcnow
from server.db.models import FlowRow, FlowVersionRow, TriggerSourceRow
from server.services.errors import InvalidRequestError
from server.services.schedules import SCHEDULE, next_fire_at
from server.services.trigger_hooks import FlowTrigger, TriggerEnvironment, open_trigger

log = logging.getLogger(__name__)


async def sync_trigger(
    session: AsyncSession,
    *,
    registry: PieceRegistry,
    flow: FlowRow,
    environment: TriggerEnvironment | None = None,
    poll_interval: timedelta = timedelta(minutes=5),
) -> None:
    """Keeps the flow's trigger source in step with its status and published version.

    Enabled and published: the published version's trigger is turned on (unless it is on
    already); anything else: the current source is turned off. A new version replaces the old
    one: `on_disable` of the old trigger, then `on_enable` of the new one. Called inside the
    caller's transaction, before its commit.

    Raises:
        InvalidRequestError: the trigger refused to turn on (bad props, bad cron or time zone, a
            vendor refusal); if it replaced an older version, that one is turned on again.
    """
    source = await session.scalar(
        select(TriggerSourceRow).where(TriggerSourceRow.flow_id == flow.id).with_for_update()
    )
    wanted = flow.published_version_id if flow.status == FlowStatus.ENABLED else None
    if source is not None and source.flow_version_id == wanted:
        return
    previous = source.flow_version_id if source is not None else None
    if source is not None:
        await turn_off(session, registry=registry, flow=flow, environment=environment)
    if wanted is None:
        return
    try:
        await turn_on(
            session,
            registry=registry,
            flow=flow,
            version_id=wanted,
            environment=environment,
            poll_interval=poll_interval,
        )
    except InvalidRequestError:
        if previous is not None:
            await _restore(session, registry, flow, previous, environment, poll_interval)
        raise
    flow.trigger_error = None


async def turn_on(
    session: AsyncSession,
    *,
    registry: PieceRegistry,
    flow: FlowRow,
    version_id: str,
    environment: TriggerEnvironment | None,
    poll_interval: timedelta,
) -> None:
    """Calls the version's `on_enable` and adds the flow's trigger source.

    Raises:
        InvalidRequestError: the trigger refused to turn on.
    """
    version = await session.get(FlowVersionRow, version_id)
    if version is None:
        return
    document = load_flow(version.definition)
    if not isinstance(document.trigger, PieceTrigger) or not document.trigger.settings.trigger_name:
        return
    settings = document.trigger.settings
    schedule = TriggerSchedule()
    target = FlowTrigger(project_id=flow.project_id, flow_id=flow.id, settings=settings)
    try:
        async with open_trigger(
            session, registry=registry, target=target, environment=environment, schedule=schedule
        ) as (trigger, ctx):
            if trigger.on_enable is not None:
                await trigger.on_enable(ctx)
        strategy = str(trigger.type)
        first: datetime | None = None
        if schedule.cron_expression is not None:
            strategy = SCHEDULE
            first = next_fire_at(
                cron_expression=schedule.cron_expression,
                timezone=schedule.timezone,
                after=utcnow(),
            )
        elif trigger.type is TriggerStrategy.POLLING:
            # The first poll after one interval: on_enable has just recorded what exists now.
            first = utcnow() + poll_interval
    except (PieceError, EngineError) as err:
        raise InvalidRequestError(
            f"The trigger could not be turned on: {err.message}", code="TRIGGER_ENABLE_FAILED"
        ) from err
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise InvalidRequestError(
            f"The trigger's schedule is not valid: {err}", code="TRIGGER_ENABLE_FAILED"
        ) from err
    session.add(
        TriggerSourceRow(
            flow_id=flow.id,
            project_id=flow.project_id,
            flow_version_id=version.id,
            piece_name=settings.piece_name,
            piece_version=settings.piece_version,
            trigger_name=settings.trigger_name or "",
            strategy=strategy,
            cron_expression=schedule.cron_expression,
            timezone=schedule.timezone if schedule.cron_expression else None,
            next_fire_at=first,
        )
    )
    await session.flush()


async def turn_off(
    session: AsyncSession,
    *,
    registry: PieceRegistry,
    flow: FlowRow,
    environment: TriggerEnvironment | None,
) -> None:
    """Calls `on_disable` of the flow's current trigger source and removes the source.

    A failing `on_disable` is logged and kept in the flow's `trigger_error`; the source goes anyway.
    """
    source = await session.scalar(
        select(TriggerSourceRow).where(TriggerSourceRow.flow_id == flow.id).with_for_update()
    )
    if source is None:
        return
    version = await session.get(FlowVersionRow, source.flow_version_id)
    problem = None
    if version is not None:
        problem = await _call_on_disable(session, registry, flow, version, environment)
    await session.delete(source)
    await session.flush()
    if problem is not None:
        log.warning("flow %s: on_disable failed: %s", flow.id, problem)
        flow.trigger_error = (
            f"The trigger was turned off, but telling the service failed: {problem}. "
            "Remove its webhook or subscription there by hand if it still calls this flow."
        )


async def _call_on_disable(
    session: AsyncSession,
    registry: PieceRegistry,
    flow: FlowRow,
    version: FlowVersionRow,
    environment: TriggerEnvironment | None,
) -> str | None:
    """Runs the version's `on_disable`; returns what went wrong, or None."""
    document = load_flow(version.definition)
    if not isinstance(document.trigger, PieceTrigger) or not document.trigger.settings.trigger_name:
        return None
    target = FlowTrigger(
        project_id=flow.project_id, flow_id=flow.id, settings=document.trigger.settings
    )
    try:
        async with open_trigger(
            session, registry=registry, target=target, environment=environment
        ) as (trigger, ctx):
            if trigger.on_disable is not None:
                await trigger.on_disable(ctx)
    except (PieceError, EngineError) as err:
        return err.message
    except Exception as err:  # a piece's bug must not keep a flow on; the user sees the message
        log.exception("on_disable of flow %s crashed", flow.id)
        return f"{type(err).__name__}: {err}"
    return None


async def _restore(
    session: AsyncSession,
    registry: PieceRegistry,
    flow: FlowRow,
    version_id: str,
    environment: TriggerEnvironment | None,
    poll_interval: timedelta,
) -> None:
    """Turns the previous version's trigger on again after its replacement refused to start."""
    try:
        await turn_on(
            session,
            registry=registry,
            flow=flow,
            version_id=version_id,
            environment=environment,
            poll_interval=poll_interval,
        )
    except InvalidRequestError as err:
        log.warning("flow %s: the previous trigger did not turn on again: %s", flow.id, err)


async def record_missing(
    session: AsyncSession, *, registry: PieceRegistry, poll_interval: timedelta
) -> int:
    """Adds the trigger source of each enabled flow that has none (flows turned on before
    trigger sources existed), without calling `on_enable` again: it ran when they were
    published. Safe to run on every start and from several processes. Commits.

    Returns:
        How many sources were added.
    """
    flows = await session.scalars(
        select(FlowRow).where(
            FlowRow.status == FlowStatus.ENABLED,
            FlowRow.published_version_id.is_not(None),
            ~select(TriggerSourceRow.flow_id)
            .where(TriggerSourceRow.flow_id == FlowRow.id)
            .exists(),
        )
    )
    added = 0
    for flow in list(flows):
        version = await session.get(FlowVersionRow, flow.published_version_id)
        trigger = load_flow(version.definition).trigger if version is not None else None
        if version is None or not isinstance(trigger, PieceTrigger):
            continue
        settings = trigger.settings
        try:
            found = registry.get(settings.piece_name, settings.piece_version).trigger(
                settings.trigger_name or ""
            )
        except PieceError as err:
            log.warning("flow %s: trigger source not recorded: %s", flow.id, err.message)
            continue
        polling = found.type is TriggerStrategy.POLLING
        await session.execute(
            insert(TriggerSourceRow)
            .values(
                flow_id=flow.id,
                project_id=flow.project_id,
                flow_version_id=version.id,
                piece_name=settings.piece_name,
                piece_version=settings.piece_version,
                trigger_name=settings.trigger_name or "",
                strategy=str(found.type),
                next_fire_at=utcnow() + poll_interval if polling else None,
                consecutive_failures=0,
                created=utcnow(),
                updated=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        added += 1
    await session.commit()
    return added
