"""Replay cost: how long resuming a run with many recorded steps takes before the next step starts.

A flow of N trivial steps and then a step that pauses is run once; the run is then resumed
repeatedly from the same paused log (put back each time), and the time from `execute(RESUME)`
to the paused step's action starting is measured: loading the log, checking it against the
flow, and walking the N recorded steps.

Usage: .venv/bin/python bench/replay.py [--steps N] [--repeat R]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.model import (  # noqa: E402
    ExecutionMode,
    Flow,
    PieceSettings,
    PieceStep,
    PieceTrigger,
    PieceTriggerSettings,
    RunStatus,
)
from engine.runtime.code_runtime import DenoCodeRuntime  # noqa: E402
from engine.runtime.executor import FlowExecutor  # noqa: E402
from engine.runtime.run_store import InMemoryRunStore  # noqa: E402
from pieces.framework import (  # noqa: E402
    Action,
    ActionContext,
    ExecutionType,
    Piece,
    PieceRegistry,
    Prop,
)
from pieces.webhook import piece as webhook  # noqa: E402

#: When the paused step's action was last entered on RESUME.
RESUMED_AT: list[float] = []


async def _echo(ctx: ActionContext) -> Any:
    return {"value": ctx.props["value"], "step": ctx.step_name}


async def _wait(ctx: ActionContext) -> Any:
    if ctx.execution_type is ExecutionType.RESUME:
        RESUMED_AT.append(time.perf_counter())
        return ctx.resume_payload
    waitpoint = await ctx.run.create_waitpoint()
    ctx.run.wait_for_waitpoint(waitpoint.id)
    return None


BENCH = Piece(
    name="bench",
    display_name="Bench",
    version="1.0.0",
    actions=(
        Action(
            name="echo", display_name="Echo", props={"value": Prop(display_name="V")}, run=_echo
        ),
        Action(name="wait", display_name="Wait", props={}, run=_wait),
    ),
)


def step(name: str, action: str, **inputs: Any) -> PieceStep:
    return PieceStep(
        name=name,
        settings=PieceSettings(
            piece_name="bench", piece_version="1.0.0", action_name=action, input=inputs
        ),
    )


def long_flow(steps: int) -> Flow:
    body = [step(f"step_{i}", "echo", value=f"{{{{trigger.body.n}}}} #{i}") for i in range(steps)]
    trigger = PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="webhook", piece_version="0.1.0", trigger_name="catch_webhook"
        )
    )
    return Flow(trigger=trigger, steps=[*body, step("wait", "wait")])


async def main(steps: int, repeat: int) -> None:
    store = InMemoryRunStore()
    executor = FlowExecutor(
        registry=PieceRegistry([webhook, BENCH]),
        code_runtime=DenoCodeRuntime(cache_dir=Path(tempfile.mkdtemp())),
        run_store=store,
    )
    flow = long_flow(steps)
    payload = {"method": "POST", "headers": {}, "queryParams": {}, "body": {"n": 1}}
    paused = await executor.execute(flow, run_id="bench", trigger_payload=payload)
    assert paused.status == RunStatus.PAUSED, paused.error_message
    paused_log = store.log("bench")
    assert len(paused_log.entries) == steps + 2
    timings = []
    for _ in range(repeat):
        store.replace("bench", paused_log)
        started = time.perf_counter()
        result = await executor.execute(
            flow, run_id="bench", mode=ExecutionMode.RESUME, resume_payload={"body": {}}
        )
        assert result.status == RunStatus.SUCCEEDED, result.error_message
        timings.append((RESUMED_AT[-1] - started) * 1000)
    timings.sort()
    sys.stdout.write(
        f"resume after {steps} recorded steps: median {statistics.median(timings):.1f} ms, "
        f"min {timings[0]:.1f} ms, max {timings[-1]:.1f} ms ({repeat} runs)\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.steps, args.repeat))
