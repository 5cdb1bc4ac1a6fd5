"""Polling triggers on the server: claiming due POLLING sources, polling one, counting failures.

Each worker's scheduler claims due sources (`FOR UPDATE SKIP LOCKED`, moving them to their next
time in the same transaction) and queues one poll job per source; the job locks the source row
while it polls, so two workers never poll one source at once. A poll runs the trigger's `run`
with the flow's store (its dedupe state), its connection and props; every new item becomes one
run. The trigger's store writes in the poll's transaction, so its dedupe state is committed
with the runs of the new items or not at all: a poll that fails before its commit leaves the
items to the next poll, never loses them. A failed poll (an error, or slower than
PW_TRIGGER_TIMEOUT_SECONDS) counts toward PW_TRIGGER_FAILURE_THRESHOLD; a good one resets the
count; at the threshold the flow is turned off, `on_disable` is called, and the reason is kept
on the flow.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTrigger, load_flow
from engine.model.resources import FlowStatus
from engine.runtime.errors import EngineError
from pieces.framework import PieceError, PieceRegistry, TriggerStrategy
from server.db.models import FlowRow, FlowVersionRow, TriggerSourceRow
from server.services.audit import AuditAction, record
from server.services.live_events import publish_flow_event
from server.services.runs import create_run
from server.services.trigger_hooks import FlowTrigger, TriggerEnvironment, open_trigger
from server.services.trigger_sources import turn_off

log = logging.getLogger(__name__)

#: Sources claimed per scheduler pass at most (the rest wait for the next pass).
BATCH = 100
#: The strategy of sources the poller polls.
POLLING = str(TriggerStrategy.POLLING)


@dataclass(frozen=True, slots=True, kw_only=True)
class PollSettings:
    """How often to poll, how long one poll may take, and when failures turn a flow off."""

    interval: timedelta
    timeout_s: float
    failure_threshold: int


async def claim_due(session: AsyncSession, *, now: datetime, interval: timedelta) -> list[str]:
    """Flow ids of the POLLING sources due at `now`, each moved to `now + interval`.

    Several workers may call this at once; each due source goes to one of them.
    """
    due = list(
        await session.scalars(
            select(TriggerSourceRow)
            .where(TriggerSourceRow.strategy == POLLING, TriggerSourceRow.next_fire_at <= now)
            .order_by(TriggerSourceRow.next_fire_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    for source in due:
        source.next_fire_at = now + interval
    await session.commit()
    return [source.flow_id for source in due]


async def poll_source(
    session: AsyncSession,
    *,
    flow_id: str,
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    settings: PollSettings,
) -> list[str]:
    """Polls the flow's source once and commits: a run per new item, or one more failure.

    Returns:
        The ids of the runs created; the caller queues them.
    """
    source = await session.scalar(
        select(TriggerSourceRow)
        .where(TriggerSourceRow.flow_id == flow_id, TriggerSourceRow.strategy == POLLING)
        .with_for_update(skip_locked=True)
    )
    flow = await session.get(FlowRow, flow_id) if source is not None else None
    if source is None or flow is None or flow.status != FlowStatus.ENABLED:
        return []  # turned off, or another worker polls it right now
    try:
        async with asyncio.timeout(settings.timeout_s):
            items = await _poll(session, source, registry=registry, environment=environment)
    except TimeoutError:
        error = f"The poll took longer than {settings.timeout_s:g} s (PW_TRIGGER_TIMEOUT_SECONDS)"
        return await _failed(session, flow_id, error, registry, environment, settings)
    except (PieceError, EngineError) as err:
        return await _failed(session, flow_id, err.message, registry, environment, settings)
    except Exception as err:  # a piece's bug counts as a failed poll, never stops the poller
        log.exception("poll of flow %s crashed", flow_id)
        message = f"{type(err).__name__}: {err}"
        return await _failed(session, flow_id, message, registry, environment, settings)
    source.consecutive_failures = 0
    source.last_error = None
    if items:
        source.sample_data = items[-1]
    runs = [
        await create_run(session, flow=flow, version_id=source.flow_version_id, payload=item)
        for item in items
    ]
    await session.commit()
    if runs:
        log.info("poll of flow %s found %s new items", flow_id, len(runs))
    return [run.id for run in runs]


async def _poll(
    session: AsyncSession,
    source: TriggerSourceRow,
    *,
    registry: PieceRegistry,
    environment: TriggerEnvironment,
) -> list[Any]:
    version = await session.get(FlowVersionRow, source.flow_version_id)
    if version is None:
        return []
    trigger = load_flow(version.definition).trigger
    if not isinstance(trigger, PieceTrigger):
        return []
    target = FlowTrigger(
        project_id=source.project_id, flow_id=source.flow_id, settings=trigger.settings
    )
    async with open_trigger(
        session, registry=registry, target=target, environment=environment, store_in_session=True
    ) as (found, ctx):
        return list(await found.run(ctx))


async def _failed(
    session: AsyncSession,
    flow_id: str,
    error: str,
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    settings: PollSettings,
) -> list[str]:
    """Counts a failed poll; at the threshold turns the flow off. Commits."""
    await session.rollback()  # whatever the poll left half-done
    source = await session.scalar(
        select(TriggerSourceRow).where(TriggerSourceRow.flow_id == flow_id).with_for_update()
    )
    flow = await session.get(FlowRow, flow_id)
    if source is None or flow is None:
        return []
    source.consecutive_failures += 1
    source.last_error = error[:2000]
    log.warning(
        "poll of flow %s failed (%s in a row): %s", flow_id, source.consecutive_failures, error
    )
    if source.consecutive_failures >= settings.failure_threshold:
        await disable_after_failures(
            session,
            flow=flow,
            failures=source.consecutive_failures,
            error=error,
            registry=registry,
            environment=environment,
        )
    await session.commit()
    return []


async def disable_after_failures(
    session: AsyncSession,
    *,
    flow: FlowRow,
    failures: int,
    error: str,
    registry: PieceRegistry,
    environment: TriggerEnvironment,
) -> None:
    """Turns the flow off because its trigger failed `failures` times in a row, with the reason
    on the flow, in the audit log and as a live event (the caller commits)."""
    flow.status = FlowStatus.DISABLED
    await turn_off(session, registry=registry, flow=flow, environment=environment)
    reason = (
        f"Turned off after {failures} failed polls in a row; the last one said: {error}. "
        "Fix the cause (the connection, the address, the service), then turn the flow on again."
    )
    flow.trigger_error = reason[:4000]
    data = {"flowId": flow.id, "reason": "TRIGGER_FAILURES", "failures": failures}
    record(
        session, AuditAction.FLOW_DEACTIVATED, user_id=None, project_id=flow.project_id, data=data
    )
    await publish_flow_event(
        session,
        flow.project_id,
        flow.id,
        {
            "type": "FLOW_UPDATED",
            "action": str(AuditAction.FLOW_DEACTIVATED),
            "flowId": flow.id,
            "status": FlowStatus.DISABLED,
            "triggerError": flow.trigger_error,
        },
    )
    log.warning("flow %s turned off after %s failed polls", flow.id, failures)
