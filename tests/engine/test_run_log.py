"""The durable run log: checkpoints, replay checks, retries and size limits."""

import asyncio
import time
from dataclasses import replace
from typing import Any

import pytest

from engine.model import (
    OFFLOADED_KEY,
    Checkpoint,
    ExecutionMode,
    PieceSettings,
    PieceStep,
    RetryError,
    RunStatus,
    StepRecord,
    StepStatus,
    log_for_retry,
)
from engine.runtime.executor import FlowExecutor
from engine.runtime.log_limits import LogLimits
from engine.runtime.log_writer import TRUNCATED_KEY, RunLogWriter
from engine.runtime.output_store import InMemoryOutputStore
from engine.runtime.replay import ReplayError
from engine.runtime.run_store import InMemoryRunStore, RunTakenOverError
from pieces.framework import Action, ActionContext, Piece, PieceRegistry
from tests.engine.builders import code, flow, loop, request
from tests.engine.probe import Crash, CrashingStore, Probe, final, probe


async def test_fast_steps_share_checkpoints_and_slow_ones_get_their_own(
    executor: FlowExecutor,
) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store, interval_s=0.005)
    rows = list(range(300))
    steps = flow(
        loop("each", "{{trigger.body.rows}}", probe("quick", "compute", value="{{each.item}}"))
    )
    result = await run.execute(steps, run_id="fast", trigger_payload=request({"rows": rows}))
    assert result.status == RunStatus.SUCCEEDED
    assert len(store.logs["fast"].entries) == 302  # trigger, 300 children, the loop
    assert store.saves["fast"] < 100

    slow = flow(*(probe(f"nap{i}", "slow", seconds=0.01) for i in range(5)))
    await run.execute(slow, run_id="slow", trigger_payload=request({}))
    assert store.saves["slow"] >= 7  # the trigger, one per slow step, end


async def test_a_new_run_saves_its_first_checkpoint_with_its_first_records(
    executor: FlowExecutor,
) -> None:
    """No empty checkpoint as a run begins: a crash before the first one begins it again."""
    store = InMemoryRunStore()
    run = replace(executor, run_store=store, limits=LogLimits(checkpoint_interval_s=60))
    steps = flow(code("one", "export const code = async () => 1;"))
    result = await run.execute(steps, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert store.saves["r"] == 1  # trigger and step, with the end
    assert [e.path for e in store.logs["r"].entries] == ["trigger", "one"]


async def test_a_step_with_effects_begins_once_the_earlier_ones_with_effects_are_saved(
    executor: FlowExecutor,
) -> None:
    store = InMemoryRunStore()
    #: Step -> the steps whose records were saved when it began.
    saved_when: dict[str, list[str]] = {}

    async def look(ctx: ActionContext) -> Any:
        log = store.logs.get("r")
        saved_when[ctx.run.step_path] = [e.path for e in log.entries] if log else []
        return {}

    ledger = Piece(
        name="ledger",
        display_name="Ledger",
        version="1.0.0",
        actions=(
            Action(name="charge", display_name="Charge", run=look),
            Action(name="sum", display_name="Sum", run=look, effects=False),
        ),
    )

    def step(name: str, action: str) -> PieceStep:
        return PieceStep(
            name=name,
            settings=PieceSettings(piece_name="ledger", piece_version="1.0.0", action_name=action),
        )

    run = replace(
        executor,
        registry=PieceRegistry([*PieceRegistry.discover().all(), ledger]),
        run_store=store,
        limits=LogLimits(checkpoint_interval_s=60),  # no checkpoint falls due by time
    )
    steps = flow(
        step("sum_1", "sum"),
        step("charge_1", "charge"),
        step("sum_2", "sum"),
        step("charge_2", "charge"),
        # Runs in a V8 context: it can do no I/O, so it has no effects.
        code("in_context", "export const code = async () => 1;"),
        step("sum_3", "sum"),
        # Names fetch: handed to a Deno process, where it could reach the network.
        code("in_process", "export const code = async () => typeof fetch;"),
        step("sum_4", "sum"),
        step("charge_3", "charge"),
    )
    result = await run.execute(steps, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    before_charge_2 = ["trigger", "sum_1", "charge_1", "sum_2"]
    before_in_process = [*before_charge_2, "charge_2", "in_context", "sum_3"]
    assert saved_when == {
        # Nothing with effects pending: the trigger and sum_1 stay batched.
        "sum_1": [],
        "charge_1": [],
        "sum_2": [],
        # charge_1 is saved before charge_2 can begin (a crash then runs charge_2 alone again).
        "charge_2": before_charge_2,
        "sum_3": before_charge_2,  # the code step in a context saved nothing
        "sum_4": before_in_process,  # saved as the code step went to a process
        "charge_3": [*before_in_process, "in_process", "sum_4"],  # that step counts
    }


async def test_a_log_that_no_longer_matches_the_flow_is_a_replay_error(
    executor: FlowExecutor,
) -> None:
    probe_ = Probe()
    store = CrashingStore(crash_at=3)
    run = probe_.executor(executor, store=store)
    steps = flow(probe("a", value=1), probe("b"), probe("c"))
    with pytest.raises(Crash):
        await run.execute(steps, run_id="r", trigger_payload=request({}))
    store.crash_at = None
    changed = flow(probe("a", value=2), probe("b"), probe("c"))
    with pytest.raises(ReplayError, match="Step 'a' changed since the run recorded it"):
        await run.execute(changed, run_id="r", mode=ExecutionMode.RECOVER)
    renamed = flow(probe("x", value=1), probe("b"), probe("c"))
    with pytest.raises(ReplayError, match="does not have"):
        await run.execute(renamed, run_id="r", mode=ExecutionMode.RECOVER)
    done = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
    assert done.status == RunStatus.SUCCEEDED
    assert probe_.calls == {"a": 1, "b": 1, "c": 1}


async def test_retry_from_the_failed_step_keeps_what_succeeded(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store)
    probe_.fail_next.add("each[2].work")
    steps = flow(
        probe("before"),
        loop("each", "{{trigger.body.rows}}", probe("work", value="{{each.item}}")),
        probe("after", value="{{each.iterations.length}}"),
    )
    failed = await run.execute(steps, run_id="r", trigger_payload=request({"rows": [1, 2, 3]}))
    assert failed.status == RunStatus.FAILED
    assert store.logs["r"].failed_path == "each[2].work"
    store.replace("r", log_for_retry(store.logs["r"]))
    retried = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
    assert retried.status == RunStatus.SUCCEEDED, retried.error_message
    assert retried.steps[-1].output["value"] == 3
    assert probe_.calls == {
        "before": 1,
        "each[1].work": 1,
        "each[2].work": 2,
        "each[3].work": 1,
        "after": 1,
    }
    assert final(store.logs["r"])["each"] == StepStatus.SUCCEEDED
    with pytest.raises(RetryError, match="this run is SUCCEEDED"):
        log_for_retry(store.logs["r"])


async def test_a_timed_out_run_retries_from_the_step_in_flight(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store)
    steps = flow(probe("a"), probe("nap", "slow", seconds=0.5), probe("b"))
    timed_out = await run.execute(steps, run_id="r", trigger_payload=request({}), timeout_s=0.2)
    assert timed_out.status == RunStatus.TIMEOUT
    store.replace("r", log_for_retry(store.logs["r"]))
    retried = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER, timeout_s=5)
    assert retried.status == RunStatus.SUCCEEDED
    assert probe_.calls == {"a": 1, "nap": 2, "b": 1}


async def test_large_inputs_are_truncated_in_the_log_only(executor: FlowExecutor) -> None:
    probe_ = Probe()
    run = probe_.executor(executor, input_truncate_bytes=100)
    big = "x" * 5000
    steps = flow(probe("a", value="{{trigger.body.text}}"), probe("b", value="{{a.value}}"))
    result = await run.execute(steps, run_id="r", trigger_payload=request({"text": big}))
    logged = result.steps[1].input
    assert logged[TRUNCATED_KEY] is True
    assert logged["size"] > 5000
    assert len(logged["preview"]) == 100
    assert result.steps[2].output["value"] == big  # the step got all of it


async def test_large_outputs_are_offloaded_and_rehydrated_on_replay(
    executor: FlowExecutor,
) -> None:
    probe_ = Probe()
    store = CrashingStore(crash_at=4)
    run = probe_.executor(executor, store=store, output_slice_bytes=1000)
    big = ["row"] * 1000
    steps = flow(
        probe("a", value="{{trigger.body.rows}}"),
        probe("b"),
        probe("c", value="{{a.value.length}}"),
    )
    with pytest.raises(Crash):
        await run.execute(steps, run_id="r", trigger_payload=request({"rows": big}))
    logged = {entry.name: entry for entry in store.logs["r"].entries}
    assert OFFLOADED_KEY in logged["a"].output
    assert OFFLOADED_KEY in logged["trigger"].output
    store.crash_at = None
    done = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
    assert done.status == RunStatus.SUCCEEDED
    assert done.steps[3].output["value"] == 1000
    assert probe_.calls == {"a": 1, "b": 1, "c": 1}


async def test_a_log_past_its_size_limit_ends_the_run(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = InMemoryRunStore()
    run = probe_.executor(executor, store=store, max_log_bytes=20_000)
    steps = flow(loop("each", "{{trigger.body.rows}}", probe("work", value="{{each.item}}")))
    result = await run.execute(
        steps, run_id="r", trigger_payload=request({"rows": ["y" * 100] * 1000})
    )
    assert result.status == RunStatus.LOG_SIZE_EXCEEDED
    assert "PW_MAX_RUN_LOG_MB" in (result.error_message or "")
    assert store.logs["r"].status == RunStatus.LOG_SIZE_EXCEEDED
    assert store.logs["r"].size_bytes <= 20_000
    assert len(probe_.calls) < 1000


async def test_a_code_step_replays_without_running_deno_again(executor: FlowExecutor) -> None:
    probe_ = Probe()
    store = CrashingStore(crash_at=4)
    run = probe_.executor(executor, store=store)
    steps = flow(
        code("sum", "export const code = async (i) => i.a + i.b", a=1, b=2),
        probe("after", value="{{sum}}"),
        probe("end"),
    )
    with pytest.raises(Crash):
        await run.execute(steps, run_id="r", trigger_payload=request({}))
    store.crash_at = None
    done = await run.execute(steps, run_id="r", mode=ExecutionMode.RECOVER)
    assert [s.status for s in done.steps] == ["SUCCEEDED"] * 4
    assert done.steps[2].output["value"] == 3
    assert probe_.calls == {"after": 1, "end": 1}


class TakenOverStore(InMemoryRunStore):
    """Refuses every checkpoint once `taken` is set, as PostgreSQL does for an older execution."""

    taken = False

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        if self.taken:
            raise RunTakenOverError(run_id)
        await super().save(run_id, checkpoint)


async def test_a_takeover_found_by_a_background_save_stops_the_next_step_with_effects() -> None:
    store = TakenOverStore()
    writer = RunLogWriter(
        run_id="r",
        store=store,
        outputs=InMemoryOutputStore(),
        limits=LogLimits(checkpoint_interval_s=0.01),
        clock=time.monotonic,
        with_effects=frozenset({"charge"}),
    )
    await writer.save(RunStatus.RUNNING)
    store.taken = True  # the run was started again elsewhere
    record = StepRecord(name="sum", type="PIECE", status=StepStatus.SUCCEEDED, path="sum")
    await writer.add(record)  # pending: saved in the background a moment later
    await asyncio.sleep(0.1)
    assert store.saves["r"] == 1
    assert writer._flush is not None
    assert writer._flush.done()
    assert writer._flush.exception() is None  # not left in the task as "never retrieved"
    with pytest.raises(RunTakenOverError):
        await writer.before_step("charge")  # before it can act
    with pytest.raises(RunTakenOverError):
        await writer.add(record)
    with pytest.raises(RunTakenOverError):
        await writer.save(RunStatus.SUCCEEDED)
