"""The executor: runs the trigger and steps in order with real Deno code steps and real pieces."""

import json
from pathlib import Path

from engine.model import (
    EmptyTrigger,
    Flow,
    PieceSettings,
    PieceStep,
    RunStatus,
    StepStatus,
    load_flow,
)
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor
from pieces.framework import PieceRegistry
from tests.conftest import SAMPLES
from tests.engine.builders import code, flow, request, respond


async def test_sample_flow_computes_and_responds(executor: FlowExecutor) -> None:
    sample = load_flow(json.loads((SAMPLES / "add_numbers_webhook.json").read_text()))
    result = await executor.execute(
        sample, run_id="r1", trigger_payload=request({"a": 20, "b": 22})
    )
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "step_1", "step_2"]
    assert result.steps[1].input == {"a": 20, "b": 22}
    assert result.steps[1].output == {"sum": 42, "product": 440}
    assert result.response is not None
    assert result.response.body == {"sum": 42, "product": 440, "message": "a + b = 42"}
    assert result.response.headers == {"X-Piecework-Sum": "42"}


async def test_failing_step_fails_the_run_and_stops_it(executor: FlowExecutor) -> None:
    run = flow(
        code("step_1", "export const code = async () => { throw new Error('nope') }"),
        respond("step_2", body="x"),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "step_1"
    assert result.error_message == "Step 'step_1' failed: Error: nope (line 1 of the code)"
    assert [s.name for s in result.steps] == ["trigger", "step_1"]
    assert result.response is None


async def test_continue_on_failure_keeps_going_with_the_error_as_output(
    executor: FlowExecutor,
) -> None:
    run = flow(
        code("step_1", "export const code = async () => { throw new Error('nope') }", go_on=True),
        respond("step_2", body={"error": "{{step_1.error}}"}),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.steps[1].status == StepStatus.FAILED
    assert result.response is not None
    assert result.response.body == {"error": "Error: nope (line 1 of the code)"}


async def test_retry_on_failure_makes_four_attempts_with_backoff(tmp_path: Path) -> None:
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    runtime = DenoCodeRuntime(cache_dir=tmp_path)
    executor = FlowExecutor(registry=PieceRegistry.discover(), code_runtime=runtime, sleep=record)
    run = flow(
        code("step_1", "export const code = async () => { throw new Error('flaky') }", retry=True)
    )
    try:
        result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    finally:
        await runtime.close()
    assert result.status == RunStatus.FAILED
    assert result.steps[1].attempts == 4
    assert waits == [1.0, 2.0, 4.0]


async def test_skipped_steps_do_not_run(executor: FlowExecutor) -> None:
    run = flow(
        code("step_1", "export const code = async () => { throw new Error('ran') }", skip=True)
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.steps[1].status == StepStatus.SKIPPED


async def test_missing_reference_fails_the_step_naming_it(executor: FlowExecutor) -> None:
    run = flow(code("step_1", "export const code = async (i) => i", x="{{trigger.body.missing}}"))
    result = await executor.execute(run, run_id="r", trigger_payload=request({"a": 1}))
    assert result.status == RunStatus.FAILED
    assert "{{trigger.body.missing}}: trigger.body has no field 'missing'" in (
        result.error_message or ""
    )


async def test_invalid_piece_input_is_reported_per_field(executor: FlowExecutor) -> None:
    run = flow(respond("step_1", body={}, status="abc"))  # type: ignore[arg-type]
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert "status: Status code expected a number, got 'abc'" in (result.error_message or "")


async def test_unknown_piece_version_is_a_clear_failure(executor: FlowExecutor) -> None:
    step = PieceStep(
        name="step_1",
        settings=PieceSettings(
            piece_name="webhook", piece_version="9.9.9", action_name="return_response"
        ),
    )
    result = await executor.execute(flow(step), run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert "piece 'webhook' version 9.9.9 is not installed (installed: 0.1.0)" in (
        result.error_message or ""
    )


async def test_flow_without_trigger_fails_before_any_step(executor: FlowExecutor) -> None:
    run = Flow(trigger=EmptyTrigger(), steps=[code("step_1", "export const code = async () => 1")])
    result = await executor.execute(run, run_id="r", trigger_payload={})
    assert result.status == RunStatus.FAILED
    assert result.steps == []
    assert result.error_message == "The flow has no trigger set up; choose one first"


async def test_loaded_loop_without_items_fails_with_what_to_do(executor: FlowExecutor) -> None:
    run = load_flow(
        {
            "trigger": flow().trigger.model_dump(),
            "steps": [{"name": "loop", "type": "LOOP_ON_ITEMS"}],
        }
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "loop"
    assert "loop 'loop' has no items; set them to a list" in (result.error_message or "")


async def test_run_timeout_ends_the_run(executor: FlowExecutor) -> None:
    run = flow(code("step_1", "export const code = async () => { while (true) {} }"))
    result = await executor.execute(run, run_id="r", trigger_payload=request({}), timeout_s=1)
    assert result.status in {RunStatus.TIMEOUT, RunStatus.FAILED}
    assert "1 s" in (result.error_message or "")
