"""`piecework run`: executes a flow in this process, and resumes it from its run file."""

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.model import ExecutionMode, Flow, RunResult, RunStatus, WaitpointType
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor, RunLogStateError
from engine.runtime.run_store import InMemoryRunStore
from pieces.framework import PieceRegistry
from pieces.framework.network import NetworkPolicy
from piecework import run_file
from piecework.flow_file import FlowFileError, trigger_payload


def begin(
    flow: Flow,
    payload: Any,
    *,
    timeout_s: float,
    connections: dict[str, Any],
    path: Path | None,
) -> tuple[RunResult, Path | None]:
    """Runs the flow once; a paused run is saved to `path` (or a file in the current
    directory), which is returned with the result."""
    run_id = "local-" + secrets.token_hex(6)
    target = path or run_file.default_path(run_id)
    store = InMemoryRunStore()

    async def execute(executor: FlowExecutor) -> RunResult:
        return await executor.execute(
            flow,
            run_id=run_id,
            trigger_payload=trigger_payload(flow, payload),
            timeout_s=timeout_s,
            connections=connections,
        )

    result = asyncio.run(_with_executor(store, target, execute))
    if result.status is RunStatus.PAUSED or path is not None:
        run_file.save(target, run_id=run_id, flow=flow, store=store)
        return result, target
    return result, None


def resume(
    path: Path,
    payload: dict[str, Any],
    *,
    timeout_s: float,
    connections: dict[str, Any],
    say: Callable[[str], None],
) -> RunResult:
    """Resumes the paused run saved in `path` and saves it again.

    A DELAY waitpoint is waited for first (saying until when).

    Raises:
        FlowFileError: the file is not a run file, or its run is not paused.
    """
    saved, flow = run_file.load(path)
    pause = saved.log.pause
    if saved.log.status is not RunStatus.PAUSED or pause is None:
        raise FlowFileError(
            f"{path}: the run is {saved.log.status or 'not started'}, not paused; "
            "only a paused run can be resumed"
        )
    resume_at = pause.waitpoint.resume_at
    if pause.waitpoint.type is WaitpointType.DELAY and resume_at is not None:
        wait_s = (resume_at - datetime.now(UTC)).total_seconds()
        if wait_s > 0:
            say(f"The run waits until {resume_at.isoformat()} ({wait_s:.0f} s); waiting ...")
            time.sleep(wait_s)
    store = InMemoryRunStore()
    store.replace(saved.run_id, saved.log)

    async def execute(executor: FlowExecutor) -> RunResult:
        return await executor.execute(
            flow,
            run_id=saved.run_id,
            timeout_s=timeout_s,
            connections=connections,
            mode=ExecutionMode.RESUME,
            resume_payload=payload,
        )

    try:
        result = asyncio.run(_with_executor(store, path, execute))
    except RunLogStateError as err:
        raise FlowFileError(f"{path}: {err.message}") from err
    run_file.save(path, run_id=saved.run_id, flow=flow, store=store)
    return result


def paused_hint(result: RunResult, path: Path) -> str:
    """What to tell the user when a run paused."""
    assert result.pause is not None
    waitpoint = result.pause.waitpoint
    if waitpoint.type is WaitpointType.DELAY and waitpoint.resume_at is not None:
        what = f"waits until {waitpoint.resume_at.isoformat()}"
    else:
        what = "waits for a resume call"
    return (
        f"The run paused at step {result.pause.path!r} ({what}); it is saved in {path}.\n"
        f"Resume it with: piecework run --resume {path} --resume-payload '{{\"approved\": true}}'"
    )


async def _with_executor(
    store: InMemoryRunStore,
    path: Path,
    execute: Callable[[FlowExecutor], Awaitable[RunResult]],
) -> RunResult:
    runtime = DenoCodeRuntime(network=NetworkPolicy.from_env())
    executor = FlowExecutor(
        registry=PieceRegistry.discover(),
        code_runtime=runtime,
        run_store=store,
        outputs=run_file.outputs_dir(path),
    )
    try:
        return await execute(executor)
    finally:
        await runtime.close()
