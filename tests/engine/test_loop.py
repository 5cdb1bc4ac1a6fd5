"""Loops in the executor: items, iterations, nesting, failures, responses."""

from engine.model import RunStatus, StepStatus
from engine.runtime.executor import FlowExecutor
from tests.engine.builders import code, flow, loop, request, respond

ECHO = "export const code = async (i) => i"
THROW = "export const code = async () => { throw new Error('bad row') }"


async def test_loop_runs_children_once_per_item_with_item_and_index(
    executor: FlowExecutor,
) -> None:
    run = flow(
        loop(
            "each_row",
            "{{trigger.body.rows}}",
            code(
                "double",
                "export const code = async (i) => ({n: i.n * 2, at: i.at})",
                n="{{each_row.item}}",
                at="{{each_row.index}}",
            ),
        ),
        respond("answer", body="{{each_row.iterations}}"),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [1, 2, 3]}))
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "each_row", "answer"]
    output = result.steps[1].output
    assert output["item"] == 3
    assert output["index"] == 3
    assert [it["double"]["output"] for it in output["iterations"]] == [
        {"n": 2, "at": 1},
        {"n": 4, "at": 2},
        {"n": 6, "at": 3},
    ]
    assert all(it["double"]["status"] == "SUCCEEDED" for it in output["iterations"])


async def test_loop_over_an_empty_list_runs_nothing(executor: FlowExecutor) -> None:
    run = flow(loop("each_row", "{{trigger.body.rows}}", code("never", THROW)))
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": []}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.steps[1].output == {"item": None, "index": 0, "iterations": []}


async def test_loop_items_that_are_not_a_list_fail_the_loop_clearly(
    executor: FlowExecutor,
) -> None:
    run = flow(loop("each_row", "{{trigger.body.rows}}", code("never", ECHO)))
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": "abc"}))
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "each_row"
    assert result.steps[1].status == StepStatus.FAILED
    assert "loop 'each_row' needs a list of items, but {{trigger.body.rows}} is str" in (
        result.error_message or ""
    )


async def test_nested_loops_see_their_own_and_outer_items(executor: FlowExecutor) -> None:
    pair = "export const code = async (i) => `${i.outer}${i.inner}`"
    run = flow(
        loop(
            "rows",
            "{{trigger.body.rows}}",
            loop(
                "cells",
                "{{rows.item.cells}}",
                code("label", pair, outer="{{rows.item.id}}", inner="{{cells.item}}"),
            ),
        )
    )
    body = {"rows": [{"id": "a", "cells": [1, 2]}, {"id": "b", "cells": [3]}]}
    result = await executor.execute(run, run_id="r", trigger_payload=request(body))
    assert result.status == RunStatus.SUCCEEDED
    outer = result.steps[1].output["iterations"]
    labels = [
        [inner["label"]["output"] for inner in it["cells"]["output"]["iterations"]] for it in outer
    ]
    assert labels == [["a1", "a2"], ["b3"]]


async def test_failing_step_inside_a_loop_fails_the_run_at_that_iteration(
    executor: FlowExecutor,
) -> None:
    fail_on_two = (
        "export const code = async (i) => { if (i.n === 2) throw new Error('bad row'); return i.n }"
    )
    run = flow(
        loop(
            "each_row", "{{trigger.body.rows}}", code("check", fail_on_two, n="{{each_row.item}}")
        ),
        respond("answer", body="never"),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [1, 2, 3]}))
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "check"
    assert result.error_message == "Step 'check' failed: Error: bad row (line 1 of the code)"
    assert [s.name for s in result.steps] == ["trigger", "each_row"]
    assert result.steps[1].status == StepStatus.FAILED
    assert len(result.steps[1].output["iterations"]) == 2
    assert result.response is None


async def test_continue_on_failure_inside_a_loop_runs_every_iteration(
    executor: FlowExecutor,
) -> None:
    run = flow(
        loop(
            "each_row",
            "{{trigger.body.rows}}",
            code("check", THROW, go_on=True),
            code("after", ECHO, n="{{each_row.item}}"),
        )
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [1, 2]}))
    assert result.status == RunStatus.SUCCEEDED
    iterations = result.steps[1].output["iterations"]
    assert [it["check"]["status"] for it in iterations] == ["FAILED", "FAILED"]
    assert [it["after"]["output"] for it in iterations] == [{"n": 1}, {"n": 2}]


async def test_return_response_inside_a_loop_answers_and_the_run_goes_on(
    executor: FlowExecutor,
) -> None:
    run = flow(
        loop(
            "each_row",
            "{{trigger.body.rows}}",
            respond("answer", body={"row": "{{each_row.item}}"}),
        ),
        code("after", ECHO),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": ["x", "y"]}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.response is not None
    assert result.response.body == {"row": "y"}
    assert [s.name for s in result.steps] == ["trigger", "each_row", "after"]


async def test_steps_after_a_loop_see_the_last_iteration(executor: FlowExecutor) -> None:
    run = flow(
        loop("each_row", "{{trigger.body.rows}}", code("inner", ECHO, n="{{each_row.item}}")),
        code("after", ECHO, last="{{inner.n}}", count="{{each_row.iterations.length}}"),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [5, 6]}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.steps[2].output == {"last": 6, "count": 2}


async def test_skipped_loop_runs_none_of_its_children(executor: FlowExecutor) -> None:
    skipped = loop("each", "{{trigger.body.rows}}", code("never", THROW)).model_copy(
        update={"skip": True}
    )
    result = await executor.execute(flow(skipped), run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED
    assert [(s.name, s.status) for s in result.steps[1:]] == [("each", StepStatus.SKIPPED)]


async def test_retry_inside_a_loop_retries_the_failing_child(executor: FlowExecutor) -> None:
    run = flow(loop("each", "{{trigger.body.rows}}", code("flaky", THROW, retry=True)))
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [1]}))
    assert result.status == RunStatus.FAILED
    assert result.steps[1].output["iterations"][0]["flaky"]["attempts"] == 4
