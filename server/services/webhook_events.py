"""A request to a flow's webhook URL: the handshake answer, or the runs its trigger makes of it.

The trigger's `run` gets the request (`{method, headers, queryParams, body, rawBody}`) when it
arrives, with the flow's connection, store and webhook URL, as Activepieces' trigger hook does:
a Slack or GitHub trigger checks the signature over `rawBody` and may return no item (no run),
an event may carry several items (one run each). A provider's verification request that
matches the trigger's handshake configuration (Slack's `url_verification`) is answered with
the trigger's `handshake_response` at once, and starts nothing.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import PieceTrigger, WebhookResponse, load_flow
from engine.model.resources import FlowStatus
from engine.runtime.errors import EngineError
from pieces.framework import PieceError, PieceRegistry
from server.db.models import FlowRow, FlowVersionRow
from server.services.errors import InvalidRequestError, NotFoundError
from server.services.frozen_versions import FrozenVersion, flow_version
from server.services.queue import JobQueue
from server.services.runs import queue_run
from server.services.test_runs import create_webhook_test_run
from server.services.trigger_hooks import FlowTrigger, TriggerEnvironment, open_trigger

# What a webhook reads of its flow on every request (the version it runs is kept parsed).
_FLOW = text("SELECT id, project_id, status, published_version_id FROM flows WHERE id = :flow_id")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookOutcome:
    """What a webhook request gave: the runs it started, or the handshake answer."""

    run_ids: list[str] = field(default_factory=list)
    handshake: WebhookResponse | None = None
    #: Runs whose jobs were written as taken by the worker `take_with` (run id → job id): once
    #: committed, that worker executes them (`JobQueue.run_taken_job`).
    taken_jobs: dict[str, int] = field(default_factory=dict)


async def receive(
    session: AsyncSession,
    *,
    flow_id: str,
    payload: dict[str, Any],
    registry: PieceRegistry,
    environment: TriggerEnvironment,
    queue: JobQueue,
    sync: bool,
    test: bool = False,
    take_with: int | None = None,
) -> WebhookOutcome:
    """Answers a handshake, or runs the trigger on the request and queues one run per item (of
    the published version; of the draft for `/test`, first item only, kept as the trigger's
    sample data), each with its job (`sync`: in the queue of runs a caller waits for). The
    caller commits: the runs are queued with their jobs, or not at all (a `/test` run is
    committed already, its job not). With `take_with` (a worker's id), the jobs of the runs of
    the published version are that worker's already.

    Raises:
        NotFoundError: no such flow, or (not `test`) it is not published and enabled.
        InvalidRequestError: the trigger failed on the request (its message says why).
    """
    flow = (await session.execute(_FLOW, {"flow_id": flow_id})).one_or_none()
    draft = await _draft(session, flow_id) if test and flow is not None else None
    published = None if test else await _published(session, flow)
    if flow is None or (draft is None and published is None):
        raise NotFoundError(
            "No flow listens at this test URL"
            if test
            else "No enabled flow listens at this webhook URL; publish the flow and turn it on",
            code="FLOW_NOT_FOUND",
        )
    if published is not None:
        document = published.flow
    else:
        assert draft is not None
        document = load_flow(draft.definition)
    trigger = document.trigger
    if not isinstance(trigger, PieceTrigger) or not trigger.settings.trigger_name:
        items: list[Any] = [_without_raw_body(payload)]
    else:
        target = FlowTrigger(project_id=flow.project_id, flow_id=flow.id, settings=trigger.settings)
        try:
            async with open_trigger(
                session, registry=registry, target=target, environment=environment, payload=payload
            ) as (found, ctx):
                if found.handshake_response is not None and found.handshake.matches(payload):
                    answer = await found.handshake_response(ctx)
                    return WebhookOutcome(handshake=_response(answer))
                items = list(await found.run(ctx))
        except (PieceError, EngineError) as err:
            raise InvalidRequestError(
                f"The flow's trigger could not read this request: {err.message}",
                code="TRIGGER_FAILED",
            ) from err
    if test:
        if not items:
            return WebhookOutcome()
        assert draft is not None
        flow_row = await session.get(FlowRow, flow_id)
        assert flow_row is not None
        run = await create_webhook_test_run(
            session, flow=flow_row, draft=draft, document=document, payload=items[0]
        )
        await queue.defer_run(run.id, sync=sync, session=session)
        return WebhookOutcome(run_ids=[run.id])
    assert published is not None
    queued = [
        await queue_run(
            session,
            project_id=flow.project_id,
            flow_id=flow.id,
            version_id=published.id,
            payload=item,
            sync=sync,
            take_with=take_with,
        )
        for item in items
    ]
    return WebhookOutcome(
        run_ids=[run.run_id for run in queued],
        taken_jobs={run.run_id: run.job_id for run in queued if run.taken},
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
