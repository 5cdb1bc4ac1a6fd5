"""Stopping a run from inside loops and router branches ends it SUCCEEDED, as at top level."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from engine.model import PieceSettings, PieceStep, RunStatus, StepStatus
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor
from pieces.framework import Action, ActionContext, Piece, PieceRegistry, Prop, WebhookResponse
from pieces.webhook import piece as webhook
from tests.engine.builders import branch, code, fallback, flow, loop, request, router, when

ECHO = "export const code = async (i) => i"


async def _stop(ctx: ActionContext) -> dict[str, Any]:
    ctx.run.stop(response=WebhookResponse(status=202, body={"stopped_at": ctx.props["at"]}))
    return {"stopped": True}


#: A piece defined by the test: its one action stops the run with a response.
STOPPER = Piece(
    name="stopper",
    display_name="Stopper",
    version="1.0.0",
    actions=(
        Action(name="stop", display_name="Stop", props={"at": Prop(display_name="At")}, run=_stop),
    ),
)


def stop(name: str, *, at: Any) -> PieceStep:
    return PieceStep(
        name=name,
        settings=PieceSettings(
            piece_name="stopper", piece_version="1.0.0", action_name="stop", input={"at": at}
        ),
    )


@pytest.fixture
async def stopping_executor(tmp_path: Path) -> AsyncIterator[FlowExecutor]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path)
    yield FlowExecutor(registry=PieceRegistry([webhook, STOPPER]), code_runtime=runtime)
    await runtime.close()


async def test_stop_inside_a_loop_ends_the_run_at_that_iteration(
    stopping_executor: FlowExecutor,
) -> None:
    run = flow(
        loop(
            "each",
            "{{trigger.body.rows}}",
            router(
                "last",
                branch(
                    "Two",
                    stop("halt", at="{{each.index}}"),
                    conditions=[[when("{{each.item}}", "NUMBER_IS_EQUAL_TO", "2")]],
                ),
                fallback(code("work", ECHO, n="{{each.item}}")),
            ),
        ),
        code("after", ECHO),
    )
    result = await stopping_executor.execute(
        run, run_id="r", trigger_payload=request({"rows": [1, 2, 3]})
    )
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "each"]
    iterations = result.steps[1].output["iterations"]
    assert len(iterations) == 2
    assert iterations[1]["halt"]["status"] == StepStatus.STOPPED
    assert result.response is not None
    assert (result.response.status, result.response.body) == (202, {"stopped_at": 2})


async def test_stop_inside_a_branch_skips_the_rest_of_the_flow(
    stopping_executor: FlowExecutor,
) -> None:
    run = flow(
        router("pick", fallback(stop("halt", at="branch"), code("never", ECHO))),
        code("after", ECHO),
    )
    result = await stopping_executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "pick", "halt"]
    assert result.steps[2].status == StepStatus.STOPPED
