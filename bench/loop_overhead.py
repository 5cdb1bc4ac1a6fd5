"""Engine overhead per step: a loop over many items running a trivial built-in action.

The action declares no effects outside the run (as the helpers do), so its records are batched
into checkpoints; `--effects` declares it with effects, so the record of each iteration is saved
before the next one begins.

Usage: .venv/bin/python bench/loop_overhead.py [--items N] [--effects]
"""

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.model import (  # noqa: E402
    Flow,
    LoopSettings,
    LoopStep,
    PieceSettings,
    PieceStep,
    PieceTrigger,
    PieceTriggerSettings,
    RunStatus,
)
from engine.runtime.code_runtime import DenoCodeRuntime  # noqa: E402
from engine.runtime.executor import FlowExecutor  # noqa: E402
from engine.runtime.run_store import InMemoryRunStore  # noqa: E402
from pieces.framework import Action, ActionContext, Piece, PieceRegistry, Prop  # noqa: E402
from pieces.webhook import piece as webhook  # noqa: E402


async def _echo(ctx: ActionContext) -> Any:
    return ctx.props["value"]


def echo_piece(*, effects: bool) -> Piece:
    return Piece(
        name="echo",
        display_name="Echo",
        version="1.0.0",
        actions=(
            Action(
                name="echo",
                display_name="Echo",
                props={"value": Prop(display_name="Value")},
                run=_echo,
                effects=effects,
            ),
        ),
    )


def looping_flow() -> Flow:
    echo = PieceStep(
        name="echo",
        settings=PieceSettings(
            piece_name="echo",
            piece_version="1.0.0",
            action_name="echo",
            input={"value": "{{each.item}}"},
        ),
    )
    trigger = PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="webhook", piece_version="0.1.0", trigger_name="catch_webhook"
        )
    )
    each = LoopStep(name="each", settings=LoopSettings(items="{{trigger.body.rows}}"), steps=[echo])
    return Flow(trigger=trigger, steps=[each])


async def main(items: int, *, effects: bool) -> None:
    store = InMemoryRunStore()
    executor = FlowExecutor(
        registry=PieceRegistry([webhook, echo_piece(effects=effects)]),
        code_runtime=DenoCodeRuntime(cache_dir=Path(tempfile.mkdtemp())),
        run_store=store,
    )
    payload = {"method": "POST", "headers": {}, "queryParams": {}, "body": {"rows": []}}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    payload["body"] = {"rows": [{"id": i, "name": f"row {i}"} for i in range(items)]}
    started, cpu_started = time.perf_counter(), time.process_time()
    result = await executor.execute(looping_flow(), run_id="bench", trigger_payload=payload)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(
        f"loop over {items} items{' (with effects)' if effects else ''}: "
        f"{elapsed * 1e6 / items:.1f} us per step "
        f"({elapsed:.2f} s; CPU {cpu * 1e6 / items:.1f} us per step), "
        f"log {store.log('bench').size_bytes / 1e6:.1f} MB, peak RSS {rss_after / 1024:.0f} MB "
        f"(+{(rss_after - rss_before) / 1024:.0f} MB), {store.saves['bench']} checkpoints\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--effects", action="store_true", help="the action declares effects")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.items, effects=arguments.effects))
