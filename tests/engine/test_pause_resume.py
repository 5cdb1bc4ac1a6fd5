"""Pause and resume: a step waits at a waitpoint; the run continues where it paused."""

from typing import Any

import pytest

from engine.model import ExecutionMode, RunStatus, StepStatus
from engine.runtime.executor import FlowExecutor, RunLogStateError
from engine.runtime.run_store import InMemoryRunStore
from tests.engine.builders import branch, fallback, flow, loop, request, router, when
from tests.engine.probe import Crash, CrashingStore, Probe, final, probe


def resumed(body: Any) -> dict[str, Any]:
    return {"body": body, "headers": {}, "queryParams": {}}


async def test_a_paused_run_resumes_at_its_step_with_the_payload(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store)
    steps = flow(
        probe("before"), probe("approve", "wait"), probe("after", value="{{approve.body}}")
    )
    paused = await run.execute(steps, run_id="r", trigger_payload=request({}))
    assert paused.status == RunStatus.PAUSED
    assert paused.pause is not None
    assert paused.pause.path == "approve"
    assert paused.pause.waitpoint.resume_url.endswith(
        f"/api/v1/flow-runs/r/waitpoints/{paused.pause.waitpoint.id}"
    )
    assert [s.status for s in paused.steps] == ["SUCCEEDED", "SUCCEEDED", "PAUSED"]
    assert store.logs["r"].status == RunStatus.PAUSED

    done = await run.execute(
        steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed({"ok": True})
    )
    assert done.status == RunStatus.SUCCEEDED, done.error_message
    assert done.pause is None
    assert [s.name for s in done.steps] == ["trigger", "before", "approve", "after"]
    assert done.steps[2].output == resumed({"ok": True})
    assert done.steps[3].output["value"] == {"ok": True}
    assert probe_.calls == {"before": 1, "approve": 1, "approve:resumed": 1, "after": 1}


async def test_a_run_is_begun_once_and_resumed_only_while_paused(executor: FlowExecutor) -> None:
    probe_ = Probe()
    run = probe_.executor(executor)
    steps = flow(probe("approve", "wait"))
    await run.execute(steps, run_id="r", trigger_payload=request({}))
    with pytest.raises(RunLogStateError, match="already started"):
        await run.execute(steps, run_id="r", trigger_payload=request({}))
    with pytest.raises(RunLogStateError, match="never from the trigger"):
        await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
    await run.execute(steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(1))
    with pytest.raises(RunLogStateError, match="not paused"):
        await run.execute(steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(2))
    with pytest.raises(RunLogStateError, match="not started, not paused"):
        await run.execute(steps, run_id="new", mode=ExecutionMode.RESUME)
    assert probe_.calls == {"approve": 1, "approve:resumed": 1}


async def test_pauses_inside_nested_loops_resume_at_the_right_iteration(
    executor: FlowExecutor,
) -> None:
    probe_ = Probe()
    run = probe_.executor(executor)
    steps = flow(
        loop(
            "outer",
            "{{trigger.body.rows}}",
            probe("pre", value="{{outer.item}}"),
            loop(
                "inner",
                "{{trigger.body.rows}}",
                probe("wait", "wait"),
                probe("post", value="{{wait.body}}"),
            ),
        ),
        probe("end", value="{{outer.iterations.length}}"),
    )
    result = await run.execute(steps, run_id="r", trigger_payload=request({"rows": ["a", "b"]}))
    paths = []
    while result.status == RunStatus.PAUSED:
        assert result.pause is not None
        paths.append(result.pause.path)
        result = await run.execute(
            steps,
            run_id="r",
            mode=ExecutionMode.RESUME,
            resume_payload=resumed(result.pause.path),
        )
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert paths == [
        "outer[1].inner[1].wait",
        "outer[1].inner[2].wait",
        "outer[2].inner[1].wait",
        "outer[2].inner[2].wait",
    ]
    outer = result.steps[1].output
    inner = [it["inner"]["output"]["iterations"] for it in outer["iterations"]]
    assert [[step["post"]["output"]["value"] for step in it] for it in inner] == [
        ["outer[1].inner[1].wait", "outer[1].inner[2].wait"],
        ["outer[2].inner[1].wait", "outer[2].inner[2].wait"],
    ]
    assert result.steps[2].output["value"] == 2
    assert max(probe_.calls.values()) == 1
    assert probe_.calls["outer[1].pre"] == 1
    assert probe_.calls["outer[2].pre"] == 1


async def test_a_pause_in_a_router_branch_resumes_in_that_branch(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store)
    steps = flow(
        router(
            "route",
            branch(
                "Yes",
                probe("wait", "wait"),
                probe("yes"),
                conditions=[[when("{{trigger.body.go}}", "BOOLEAN_IS_TRUE")]],
            ),
            fallback(probe("no")),
        ),
        probe("end"),
    )
    paused = await run.execute(steps, run_id="r", trigger_payload=request({"go": True}))
    assert paused.status == RunStatus.PAUSED
    done = await run.execute(
        steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(1)
    )
    assert [s.name for s in done.steps] == ["trigger", "route", "wait", "yes", "end"]
    routers = [entry for entry in store.logs["r"].entries if entry.name == "route"]
    assert len(routers) == 1  # evaluated once; the resume reused its choice
    assert "no" not in probe_.calls


async def test_a_crash_while_resuming_resumes_again_with_the_same_payload(
    executor: FlowExecutor,
) -> None:
    for before in (True, False):
        probe_ = Probe()
        store = CrashingStore()
        run = probe_.executor(executor, store=store)
        steps = flow(probe("wait", "wait"), probe("after", value="{{wait.body}}"))
        await run.execute(steps, run_id="r", trigger_payload=request({}))
        store.crash_at, store.before = store.count + 2, before  # the resumed step's checkpoint
        with pytest.raises(Crash):
            await run.execute(
                steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed("yes")
            )
        store.crash_at = None
        done = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
        assert done.status == RunStatus.SUCCEEDED, done.error_message
        assert done.steps[-1].output["value"] == "yes"
        assert final(store.logs["r"])["wait"] == StepStatus.SUCCEEDED
        assert probe_.calls["wait:resumed"] == (2 if before else 1)


async def test_paused_time_does_not_count_toward_the_run_timeout(executor: FlowExecutor) -> None:
    probe_ = Probe()
    run = probe_.executor(executor)
    steps = flow(
        probe("nap", "slow", seconds=0.3), probe("wait", "wait"), probe("nap2", "slow", seconds=0.3)
    )
    paused = await run.execute(steps, run_id="r", trigger_payload=request({}), timeout_s=0.5)
    assert paused.status == RunStatus.PAUSED
    late = await run.execute(
        steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(1), timeout_s=0.5
    )
    assert late.status == RunStatus.TIMEOUT
    assert "0.5 s of active time" in (late.error_message or "")


async def test_a_resume_payload_reaches_only_the_paused_step(executor: FlowExecutor) -> None:
    probe_ = Probe()
    run = probe_.executor(executor)
    steps = flow(probe("first", "wait"), probe("second", "wait"))
    await run.execute(steps, run_id="r", trigger_payload=request({}))
    again = await run.execute(
        steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(1)
    )
    assert again.status == RunStatus.PAUSED  # the second wait began, it did not see RESUME
    assert again.pause is not None
    assert again.pause.path == "second"
    done = await run.execute(
        steps, run_id="r", mode=ExecutionMode.RESUME, resume_payload=resumed(2)
    )
    assert [s.output for s in done.steps[1:]] == [resumed(1), resumed(2)]
