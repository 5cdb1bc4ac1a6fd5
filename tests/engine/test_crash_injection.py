"""Crash injection: a run interrupted at any step boundary resumes and runs each step once."""

import json
from typing import Any

import pytest

from engine.model import ExecutionMode, RunResult, RunStatus
from engine.runtime.executor import FlowExecutor
from tests.engine.builders import branch, fallback, flow, loop, request, router, when
from tests.engine.probe import Crash, CrashingStore, Probe, probe

PAYLOAD = request({"rows": [1, 2, 3], "kind": "big"})


def side_effect_flow() -> Any:
    return flow(
        probe("first", value="{{trigger.body.kind}}"),
        loop(
            "each",
            "{{trigger.body.rows}}",
            probe("in_loop", value="{{each.item}}"),
            loop("inner", "{{trigger.body.rows}}", probe("deep", value="{{inner.index}}")),
        ),
        router(
            "route",
            branch(
                "Big",
                probe("big", value="{{first.value}}"),
                conditions=[[when("{{trigger.body.kind}}", "TEXT_EXACTLY_MATCHES", "big")]],
            ),
            fallback(probe("small")),
        ),
        probe("last", value="{{each.iterations.length}}"),
    )


def comparable(result: RunResult) -> Any:
    """The result without timings."""
    data = json.loads(result.model_dump_json())

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in {"durationMs", "duration"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(data)


async def uninterrupted(executor: FlowExecutor) -> tuple[RunResult, int]:
    store = CrashingStore()
    probe_ = Probe()
    result = await probe_.executor(executor, store=store).execute(
        side_effect_flow(), run_id="clean", trigger_payload=PAYLOAD
    )
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert all(count == 1 for count in probe_.calls.values())
    return result, store.count


@pytest.mark.parametrize("before", [False, True], ids=["after-save", "before-save"])
async def test_a_crash_at_every_checkpoint_resumes_with_each_step_run_once(
    executor: FlowExecutor, before: bool
) -> None:
    expected, saves = await uninterrupted(executor)
    assert saves > 20  # start, every step boundary (loops and branches included), end
    for crash_at in range(1, saves + 1):
        probe_ = Probe()
        store = CrashingStore(crash_at=crash_at, before=before)
        crashing = probe_.executor(executor, store=store)
        with pytest.raises(Crash):
            await crashing.execute(side_effect_flow(), run_id="r", trigger_payload=PAYLOAD)
        log = store.logs.get("r")
        if log is None or log.status is None:
            mode = ExecutionMode.BEGIN  # nothing was written: the run never started
        elif log.status in {RunStatus.SUCCEEDED}:
            continue  # the crash came after the final checkpoint
        else:
            mode = ExecutionMode.RECOVER
        store.crash_at = None
        result = await crashing.execute(
            side_effect_flow(), run_id="r", trigger_payload=PAYLOAD, mode=mode
        )
        assert comparable(result) == comparable(expected), f"crash at save {crash_at}"
        twice = [path for path, count in probe_.calls.items() if count > 1]
        if before:
            # The step in flight when the checkpoint was lost may run again; nothing else.
            assert len(twice) <= 1, f"crash before save {crash_at}: {twice}"
        else:
            assert twice == [], f"crash after save {crash_at}: {twice} ran twice"
        assert set(probe_.calls) == {
            "first",
            *(f"each[{i}].in_loop" for i in (1, 2, 3)),
            *(f"each[{i}].inner[{j}].deep" for i in (1, 2, 3) for j in (1, 2, 3)),
            "big",
            "last",
        }


async def test_repeated_crashes_still_finish_with_each_step_once(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = CrashingStore()
    crashing = probe_.executor(executor, store=store)
    mode = ExecutionMode.BEGIN
    crashes = 0
    for _ in range(100):
        store.crash_at = store.count + 3
        try:
            await crashing.execute(
                side_effect_flow(), run_id="r", trigger_payload=PAYLOAD, mode=mode
            )
        except Crash:
            crashes += 1
            mode = ExecutionMode.RECOVER
        if store.logs["r"].status is RunStatus.SUCCEEDED:
            break
    else:
        pytest.fail("the run never finished")
    assert crashes > 5
    assert max(probe_.calls.values()) == 1
    assert len(probe_.calls) == 15
