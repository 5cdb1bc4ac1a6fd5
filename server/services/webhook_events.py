"""A request to a flow's webhook URL: the handshake answer, or the runs its trigger makes of it.

The trigger's `run` gets the request (`{method, headers, queryParams, body, rawBody}`) when it
arrives, with the flow's connection, store and webhook URL, as Activepieces' trigger hook does:
a Slack or GitHub trigger checks the signature over `rawBody` and may return no item (no run),
an event may carry several items (one run each). A provider's verification request that
matches the trigger's handshake configuration (Slack's `url_verification`) is answered with
the trigger's `handshake_response` at once, and starts nothing.
"""

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, PieceTrigger, WebhookResponse, load_flow
from engine.model.resources import FlowStatus
from engine.runtime.errors import EngineError
from pieces.framework import PieceError, PieceRegistry
from server.db.base import new_id
from server.db.models import FlowRow, FlowVersionRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.frozen_versions import FrozenVersion, flow_version
from server.services.oauth2_refresh import names_connections
from server.services.queue import JobQueue
from server.services.run_intake import NewRun, RunIntake
from server.services.run_waiter import RunWaiter, Waiting
from server.services.test_runs import create_webhook_test_run
from server.services.trigger_hooks import FlowTrigger, TriggerEnvironment, open_trigger

# What a webhook reads of its flow (the version it runs is kept parsed).
_FLOW = text("SELECT id, project_id, status, published_version_id FROM flows WHERE id = :flow_id")

#: Enabled flows a process remembers at most (the least recently called go first).
MAX_REMEMBERED = 4096


@dataclass(frozen=True, slots=True, kw_only=True)
class _EnabledFlow:
    """What a webhook needs of an enabled flow: its project and the version it runs."""

    id: str
    project_id: str
    version: FrozenVersion


#: Enabled flows as last read, by id. Only a hint: the write of an event's runs checks that the
#: flow is still enabled with that version (`RunIntake`), and reads it again when it is not.
_remembered: OrderedDict[str, _EnabledFlow] = OrderedDict()


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookOutcome:
    """What a webhook request gave: the runs it started, or the handshake answer."""

    run_ids: list[str] = field(default_factory=list)
    handshake: WebhookResponse | None = None
    #: For a sync call, the waiter's entry for the first run, made before the run was queued.
    expected: Waiting | None = None


async def receive(
    *,
    sessions: Callable[[], AsyncSession],
    intake: RunIntake,
    flow_id: str,
    payload: dict[str, Any],
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    waiter: RunWaiter | None = None,
    take_with: int | None = None,
) -> WebhookOutcome:
    """Answers a handshake, or runs the trigger on the request and queues one run of the
    published version per item it gives, each with its job, all written together or none.

    With `waiter` (a sync call), the first run is expected by it before it is queued (and jobs
    go to the queue of runs a caller waits for); with `take_with` (a worker's id) as well, the
    jobs are that worker's already.

    Raises:
        NotFoundError: no such flow, or it is not published and enabled.
        InvalidRequestError: the trigger failed on the request (its message says why).
        psycopg.Error: the database refused the event, or could not be reached.
    """
    for fresh in (False, True):
        flow = None if fresh else _remembered.get(flow_id)
        if flow is None:
            flow = await _read_enabled(sessions, flow_id)
        else:
            _remembered.move_to_end(flow_id)
        answer = await _trigger_answer(
            sessions,
            registry=registry,
            environment=environment,
            project_id=flow.project_id,
            flow_id=flow.id,
            document=flow.version.flow,
            payload=payload,
        )
        if isinstance(answer, WebhookResponse):
            return WebhookOutcome(handshake=answer)
        if not answer:
            return WebhookOutcome()
        runs = [
            NewRun(
                id=new_id(),
                project_id=flow.project_id,
                flow_id=flow.id,
                version_id=flow.version.id,
                payload=item,
                sync=waiter is not None,
                take_with=take_with,
            )
            for item in answer
        ]
        first = runs[0].id
        expected = waiter.expect(first) if waiter is not None else None
        try:
            queued = await intake.accept(runs)
        except BaseException:
            if waiter is not None and expected is not None:
                waiter.discard(first, expected)
            raise
        if queued is not None:
            return WebhookOutcome(run_ids=[run.run_id for run in queued], expected=expected)
        # Turned off or republished since it was read: read again.
        if waiter is not None and expected is not None:
            waiter.discard(first, expected)
        _remembered.pop(flow_id, None)
    raise _not_found(test=False)


async def receive_test(
    session: AsyncSession,
    *,
    flow_id: str,
    payload: dict[str, Any],
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    queue: JobQueue,
    waiter: RunWaiter,
) -> WebhookOutcome:
    """A `/test` call: runs the trigger of the flow's draft (published or not) on the request and
    queues a test run of the first item, kept as the trigger's sample data; the run is expected
    by `waiter` before its job is committed.

    Raises:
        NotFoundError: no such flow.
        InvalidRequestError: the trigger failed on the request (its message says why).
    """
    draft = await _draft(session, flow_id)
    flow_row = await session.get(FlowRow, flow_id) if draft is not None else None
    if draft is None or flow_row is None:
        raise _not_found(test=True)
    document = load_flow(draft.definition)
    answer = await _trigger_answer(
        lambda: contextlib.nullcontext(session),
        registry=registry,
        environment=environment,
        project_id=flow_row.project_id,
        flow_id=flow_id,
        document=document,
        payload=payload,
    )
    if isinstance(answer, WebhookResponse):
        return WebhookOutcome(handshake=answer)
    if not answer:
        return WebhookOutcome()
    run = await create_webhook_test_run(
        session, flow=flow_row, draft=draft, document=document, payload=answer[0]
    )
    await queue.defer_run(run.id, sync=True, session=session)
    expected = waiter.expect(run.id)
    try:
        await session.commit()
    except BaseException:
        waiter.discard(run.id, expected)
        raise
    return WebhookOutcome(run_ids=[run.id], expected=expected)


async def _read_enabled(sessions: Callable[[], AsyncSession], flow_id: str) -> _EnabledFlow:
    async with sessions() as session:
        row = (await session.execute(_FLOW, {"flow_id": flow_id})).one_or_none()
        version = await _published(session, row)
    if row is None or version is None:
        raise _not_found(test=False)
    flow = _EnabledFlow(id=row.id, project_id=row.project_id, version=version)
    _remembered[flow_id] = flow
    if len(_remembered) > MAX_REMEMBERED:
        _remembered.popitem(last=False)
    return flow


async def _trigger_answer(
    sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    *,
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    project_id: str,
    flow_id: str,
    document: Flow,
    payload: dict[str, Any],
) -> WebhookResponse | list[Any]:
    """The trigger's handshake answer, or the items it makes of the request (a flow without a
    piece trigger: the request itself, without `rawBody`)."""
    trigger = document.trigger
    if not isinstance(trigger, PieceTrigger) or not trigger.settings.trigger_name:
        return [_without_raw_body(payload)]
    target = FlowTrigger(project_id=project_id, flow_id=flow_id, settings=trigger.settings)
    # A session only for a trigger that reads connections (its store opens its own).
    reads = names_connections(str(trigger.settings.input))
    try:
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(sessions()) if reads else None
            found, ctx = await stack.enter_async_context(
                open_trigger(
                    session,
                    registry=registry,
                    target=target,
                    environment=environment,
                    payload=payload,
                )
            )
            if found.handshake_response is not None and found.handshake.matches(payload):
                return _response(await found.handshake_response(ctx))
            return list(await found.run(ctx))
    except (PieceError, EngineError) as err:
        raise InvalidRequestError(
            f"The flow's trigger could not read this request: {err.message}",
            code="TRIGGER_FAILED",
        ) from err


def _not_found(*, test: bool) -> NotFoundError:
    return NotFoundError(
        "No flow listens at this test URL"
        if test
        else "No enabled flow listens at this webhook URL; publish the flow and turn it on",
        code="FLOW_NOT_FOUND",
    )


async def _draft(session: AsyncSession, flow_id: str) -> FlowVersionRow | None:
    draft: FlowVersionRow | None = await session.scalar(
        select(FlowVersionRow).where(
            FlowVersionRow.flow_id == flow_id, FlowVersionRow.state == "DRAFT"
        )
    )
    return draft


async def _published(session: AsyncSession, flow: Row[Any] | None) -> FrozenVersion | None:
    """The version an enabled flow runs (parsed once per process: it never changes)."""
    if flow is None or flow.published_version_id is None or flow.status != FlowStatus.ENABLED:
        return None
    return await flow_version(session, flow.published_version_id)


def _without_raw_body(payload: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payload.items() if key != "rawBody"}


def _response(answer: Any) -> WebhookResponse:
    """A handshake answer as a response: a WebhookResponse as is, anything else as a 200 body."""
    if isinstance(answer, WebhookResponse):
        return answer
    return WebhookResponse(status=200, body=answer)
