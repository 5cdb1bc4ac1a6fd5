"""Test runs from the builder: test the draft flow, or test one step of it."""

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from engine.model import Model
from engine.model.resources import FlowRunRead
from server.api.deps import ContextDep, CurrentPrincipal, SessionDep
from server.services import runs, test_runs

router = APIRouter(prefix="/flows", tags=["flows"])


class TestFlowRequest(Model):
    """Test the draft: with this trigger payload, or (none given) the trigger's sample data."""

    payload: Any = None


class TestStepRequest(Model):
    """Test one step of the draft, and the steps before it that have no sample data."""

    step_name: str = Field(max_length=100)


@router.post("/{flow_id}/test", status_code=201)
async def test_flow_draft(
    flow_id: str,
    body: TestFlowRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    context: ContextDep,
) -> FlowRunRead:
    """Runs the draft as a test run; follow it over the WebSocket or GET /flow-runs/{id}.
    Each step's output becomes its sample data."""
    given = {"payload": body.payload} if "payload" in body.model_fields_set else {}
    run = await test_runs.start_flow_test(
        session=session, principal=principal, flow_id=flow_id, **given
    )
    await context.queue.defer_run(run.id, sync=True)
    return runs.to_read(run)


@router.post("/{flow_id}/test-step", status_code=201)
async def test_flow_step(
    flow_id: str,
    body: TestStepRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
    context: ContextDep,
) -> FlowRunRead:
    """Runs the draft up to and including the step as a test run. Earlier steps with sample
    data are not run again (their samples stand in); the tested steps' outputs become their
    sample data."""
    run = await test_runs.start_step_test(
        session=session, principal=principal, flow_id=flow_id, step_name=body.step_name
    )
    await context.queue.defer_run(run.id, sync=True)
    return runs.to_read(run)
