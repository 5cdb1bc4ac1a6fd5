"""Test runs: the builder's "Test flow" and "Test step".

A test run runs a frozen copy of the draft (a TEST version), so edits made while it runs do not
disturb it, and a crash is recovered on the same document. Testing a step runs the draft cut
after that step, starting from a log seeded with the sample outputs of the steps before it
(`engine.runtime.test_runs`). When a test run ends, each step's output becomes its sample data.
"""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Flow, RunResult, StepStatus, load_flow
from engine.model.run_log import OFFLOADED_KEY
from engine.runtime.test_runs import StepToTestError, flow_up_to, seeded_log
from server.db.base import new_id, utcnow
from server.db.models import FlowRow, FlowRunRow, FlowVersionRow, SampleDataRow
from server.services.errors import InvalidRequestError
from server.services.flows import load_with_draft
from server.services.permissions import Permission
from server.services.principal import Principal
from server.services.run_logs import write_log
from server.services.runs import create_run

#: The state of the frozen draft copies test runs run.
TEST_STATE = "TEST"
#: Sample outputs larger than this (as JSON) are not kept: the data panel reads the run instead.
MAX_SAMPLE_CHARS = 1024 * 1024

_NO_PAYLOAD = object()


async def start_flow_test(
    *, session: AsyncSession, principal: Principal, flow_id: str, payload: Any = _NO_PAYLOAD
) -> FlowRunRow:
    """A test run of the whole draft (the caller queues it).

    The trigger gets `payload` when given, else the trigger's sample output is used as is.

    Raises:
        NotFoundError: no such flow for the caller.
        PermissionDeniedError: the caller cannot edit flows.
        InvalidRequestError: no payload and no trigger sample data.
    """
    flow, draft = await load_with_draft(session, principal, flow_id, Permission.WRITE_FLOW)
    document = load_flow(draft.definition)
    _require_trigger(document)
    samples = await _samples(session, flow_id)
    if payload is _NO_PAYLOAD:
        if "trigger" not in samples:
            raise _no_trigger_sample()
        seeded = {"trigger": samples["trigger"]}
        trigger_payload = samples["trigger"]
    else:
        seeded, trigger_payload = {}, payload
    return await _create(session, flow, draft, document, seeded, trigger_payload, before=None)


async def start_step_test(
    *, session: AsyncSession, principal: Principal, flow_id: str, step_name: str
) -> FlowRunRow:
    """A test run of the draft up to and including `step_name` (the caller queues it).

    Raises:
        NotFoundError: no such flow for the caller.
        PermissionDeniedError: the caller cannot edit flows.
        InvalidRequestError: no such step, or the trigger has no sample data yet.
    """
    flow, draft = await load_with_draft(session, principal, flow_id, Permission.WRITE_FLOW)
    document = load_flow(draft.definition)
    _require_trigger(document)
    try:
        cut = flow_up_to(document, step_name)
    except StepToTestError as err:
        raise InvalidRequestError(str(err), code=err.code, params={"step": step_name}) from err
    samples = await _samples(session, flow_id)
    if "trigger" not in samples:
        raise _no_trigger_sample()
    samples.pop(step_name, None)  # the step under test runs
    return await _create(session, flow, draft, cut, samples, samples["trigger"], before=step_name)


async def create_webhook_test_run(
    session: AsyncSession, *, flow: FlowRow, draft: FlowVersionRow, document: Flow, payload: Any
) -> FlowRunRow:
    """Records a QUEUED test run of the draft for a `/test` webhook request (the trigger already
    made `payload` of it), and keeps the payload as the trigger's sample data (the builder shows
    it in the data panel). Commits; the caller queues the run."""
    await _keep_sample(session, flow_id=flow.id, step_name="trigger", data=payload, now=utcnow())
    frozen = await freeze_draft(session, flow=flow, draft=draft, document=document)
    run = await create_run(session, flow=flow, version_id=frozen.id, payload=payload)
    await session.commit()
    return run


async def freeze_draft(
    session: AsyncSession, *, flow: FlowRow, draft: FlowVersionRow, document: Flow
) -> FlowVersionRow:
    """A TEST version holding `document` (the draft, or the draft cut after a step), for a test
    run to run: edits made to the draft while it runs do not disturb it, and a crashed run is
    recovered on the same document. The caller commits."""
    frozen = FlowVersionRow(
        flow_id=flow.id,
        display_name=draft.display_name,
        definition=document.model_dump(mode="json"),
        state=TEST_STATE,
    )
    session.add(frozen)
    await session.flush()
    return frozen


async def _create(
    session: AsyncSession,
    flow: FlowRow,
    draft: FlowVersionRow,
    document: Flow,
    samples: dict[str, Any],
    trigger_payload: Any,
    *,
    before: str | None,
) -> FlowRunRow:
    frozen = await freeze_draft(session, flow=flow, draft=draft, document=document)
    run = await create_run(session, flow=flow, version_id=frozen.id, payload=trigger_payload)
    log = seeded_log(document, samples, before=before)
    if log.entries:
        await write_log(session, run.id, log)
    await session.commit()
    return run


async def save_samples(session: AsyncSession, run: FlowRunRow, result: RunResult) -> None:
    """Keeps each step's output of a finished test run as its sample data (the caller commits).

    A step that ran several times (in a loop) keeps its first output; failed steps, outputs
    moved to file storage and very large outputs are left out.
    """
    now = utcnow()
    seen: set[str] = set()
    for record in result.steps:
        if record.name in seen or record.status is not StepStatus.SUCCEEDED:
            continue
        seen.add(record.name)
        output = record.output
        if isinstance(output, dict) and OFFLOADED_KEY in output:
            continue
        if len(json.dumps(output, default=str)) > MAX_SAMPLE_CHARS:
            continue
        await _keep_sample(
            session, flow_id=run.flow_id, step_name=record.name, data=output, now=now
        )


async def _keep_sample(
    session: AsyncSession, *, flow_id: str, step_name: str, data: Any, now: datetime
) -> None:
    """Sets the step's sample output (there is one per flow, step and type)."""
    await session.execute(
        insert(SampleDataRow)
        .values(
            id=new_id(),
            flow_id=flow_id,
            step_name=step_name,
            type="OUTPUT",
            data=data,
            created=now,
            updated=now,
        )
        .on_conflict_do_update(
            constraint="uq_sample_data_flow_step_type", set_={"data": data, "updated": now}
        )
    )


async def _samples(session: AsyncSession, flow_id: str) -> dict[str, Any]:
    rows = await session.execute(
        select(SampleDataRow.step_name, SampleDataRow.data).where(
            SampleDataRow.flow_id == flow_id, SampleDataRow.type == "OUTPUT"
        )
    )
    return {row.step_name: row.data for row in rows}


def _require_trigger(document: Flow) -> None:
    if document.trigger.type == "EMPTY":
        raise InvalidRequestError(
            "Choose a trigger before testing the flow", code="FLOW_HAS_NO_TRIGGER"
        )


def _no_trigger_sample() -> InvalidRequestError:
    return InvalidRequestError(
        "The trigger has no sample data yet: send a request to the webhook's test URL (or test "
        "the trigger) first, or give a payload",
        code="NO_SAMPLE_DATA",
    )
