"""The pool of pre-started Deno processes, with the real binary: warm start, replacement, clean-up."""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_contexts import CodeIsolation
from engine.runtime.deno_pool import DEFAULT_POOL_SIZE, PoolSizeError, pool_size_from_env
from engine.runtime.errors import CodeExecutionError

PID_AND_DIR = "export const code = async (inputs) => ({ pid: Deno.pid, n: inputs.n, dir: new URL('.', import.meta.url).pathname })"


def alive(pid: int) -> bool:
    """Whether the process exists (a reaped process has no /proc entry)."""
    return Path(f"/proc/{pid}").exists()


async def warm(runtime: DenoCodeRuntime) -> list[int]:
    """Starts the pool, waits until all its processes are started, and returns their ids."""
    await runtime.pool.start()
    for _ in range(200):
        pids = runtime.pool.ready_pids()
        if len(pids) == runtime.pool_size:
            return pids
        await asyncio.sleep(0.025)
    raise AssertionError(f"the pool did not start {runtime.pool_size} processes")


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(
        cache_dir=tmp_path / "deno", heap_mb=64, pool_size=2, isolation=CodeIsolation.PROCESS
    )
    yield runtime
    await runtime.close()


async def test_execution_runs_in_a_process_started_before_the_request(
    runtime: DenoCodeRuntime,
) -> None:
    await runtime.run(PID_AND_DIR, {"n": 0})
    ready = await warm(runtime)
    result = await runtime.run(PID_AND_DIR, {"n": 1})
    assert result.output["pid"] in ready
    assert result.output["n"] == 1


async def test_each_process_serves_one_execution_and_is_replaced(
    runtime: DenoCodeRuntime,
) -> None:
    first = (await runtime.run(PID_AND_DIR, {"n": 1})).output
    second = (await runtime.run(PID_AND_DIR, {"n": 2})).output
    assert first["pid"] != second["pid"]
    assert first["dir"] != second["dir"]
    assert len(await warm(runtime)) == 2
    assert first["pid"] not in runtime.pool.ready_pids()


async def test_files_of_one_execution_are_gone_for_the_next(runtime: DenoCodeRuntime) -> None:
    write = (
        "export const code = async () => { Deno.writeTextFileSync(new URL('./note.txt', import.meta.url), 'x');"
        " return new URL('./note.txt', import.meta.url).pathname }"
    )
    path = (await runtime.run(write, {})).output
    assert not await asyncio.to_thread(os.path.exists, path)
    read_back = f"export const code = async () => Deno.readTextFileSync('{path}')"
    with pytest.raises(CodeExecutionError, match="NotCapable: Requires read access"):
        await runtime.run(read_back, {})


async def test_timeout_kills_only_that_process_and_the_pool_replaces_it(
    runtime: DenoCodeRuntime,
) -> None:
    ready = await warm(runtime)
    spin = "export const code = async () => { while (true) {} }"
    results = await asyncio.gather(
        runtime.run(spin, {}, timeout_s=1),
        runtime.run(PID_AND_DIR, {"n": 7}),
        return_exceptions=True,
    )
    assert isinstance(results[0], CodeExecutionError)
    assert "ran longer than 1 s" in results[0].message
    assert not isinstance(results[1], BaseException)
    assert results[1].output["n"] == 7
    assert not any(alive(pid) for pid in ready if pid != results[1].output["pid"])
    assert (await runtime.run(PID_AND_DIR, {"n": 8})).output["n"] == 8


async def test_out_of_memory_process_is_replaced(runtime: DenoCodeRuntime) -> None:
    hog = "export const code = async () => { const a = []; while (true) a.push(new Array(1e6).fill(1)); }"
    with pytest.raises(CodeExecutionError, match="ran out of memory"):
        await runtime.run(hog, {}, timeout_s=30)
    assert (await runtime.run(PID_AND_DIR, {"n": 3})).output["n"] == 3


async def test_code_that_exits_or_closes_stdout_gets_a_clear_error(
    runtime: DenoCodeRuntime,
) -> None:
    with pytest.raises(CodeExecutionError, match="could not run: Deno exited with status 3"):
        await runtime.run("export const code = async () => Deno.exit(3)", {})
    with pytest.raises(CodeExecutionError, match="could not run"):
        await runtime.run("export const code = async () => { Deno.stdout.close(); return 1 }", {})
    assert (await runtime.run(PID_AND_DIR, {"n": 4})).output["n"] == 4


async def test_concurrent_executions_each_get_their_own_result(runtime: DenoCodeRuntime) -> None:
    results = await asyncio.gather(*(runtime.run(PID_AND_DIR, {"n": n}) for n in range(12)))
    assert [result.output["n"] for result in results] == list(range(12))
    assert len({result.output["pid"] for result in results}) == 12


async def test_cancelled_execution_stops_its_process(runtime: DenoCodeRuntime) -> None:
    ready = await warm(runtime)
    task = asyncio.create_task(
        runtime.run("export const code = async () => { while (true) {} }", {})
    )
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sum(alive(pid) for pid in ready) == 1
    assert (await runtime.run(PID_AND_DIR, {"n": 5})).output["n"] == 5


async def test_close_leaves_no_process_or_directory_behind(runtime: DenoCodeRuntime) -> None:
    used = (await runtime.run(PID_AND_DIR, {"n": 1})).output
    ready = await warm(runtime)
    dirs = [await asyncio.to_thread(os.readlink, f"/proc/{pid}/cwd") for pid in ready]
    await runtime.close()
    assert not any(alive(pid) for pid in [used["pid"], *ready])
    assert not any([await asyncio.to_thread(os.path.exists, directory) for directory in dirs])
    assert runtime.pool.ready_pids() == []
    # A closed runtime starts again when it is used again.
    assert (await runtime.run(PID_AND_DIR, {"n": 2})).output["n"] == 2


async def test_pool_size_zero_starts_a_process_per_execution(tmp_path: Path) -> None:
    runtime = DenoCodeRuntime(cache_dir=tmp_path, pool_size=0, isolation=CodeIsolation.PROCESS)
    try:
        result = await runtime.run(PID_AND_DIR, {"n": 1})
        assert result.output["n"] == 1
        assert runtime.pool.ready_pids() == []
    finally:
        await runtime.close()


def test_pool_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PW_CODE_POOL_SIZE", raising=False)
    assert pool_size_from_env() == DEFAULT_POOL_SIZE
    monkeypatch.setenv("PW_CODE_POOL_SIZE", "4")
    assert pool_size_from_env() == 4
    for bad in ("-1", "two"):
        monkeypatch.setenv("PW_CODE_POOL_SIZE", bad)
        with pytest.raises(PoolSizeError, match="PW_CODE_POOL_SIZE must be a whole number"):
            pool_size_from_env()


ORPHAN_SCRIPT = """
import asyncio, os, sys
from pathlib import Path
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_contexts import CodeIsolation

async def main():
    pooled = DenoCodeRuntime(
        cache_dir=Path(sys.argv[1]), pool_size=2, isolation=CodeIsolation.PROCESS
    )
    contexts = DenoCodeRuntime(
        cache_dir=Path(sys.argv[1]), pool_size=1, isolation=CodeIsolation.CONTEXT
    )
    await pooled.run("export const code = () => 1", {})
    await contexts.run("export const code = () => 1", {})
    for _ in range(200):
        if len(pooled.pool.ready_pids()) == 2:
            break
        await asyncio.sleep(0.025)
    pids = [*pooled.pool.ready_pids(), *contexts.contexts.server_pids()]
    sys.stdout.write(" ".join(map(str, pids)) + "\\n")
    sys.stdout.flush()
    os._exit(0)  # no close(), no loop shutdown: as if the worker crashed

asyncio.run(main())
"""


async def test_waiting_processes_exit_when_python_goes_away(tmp_path: Path) -> None:
    root = str(Path(__file__).parents[2])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ORPHAN_SCRIPT,
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        cwd=root,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), 30)
    pids = [int(pid) for pid in stdout.split()]
    assert len(pids) == 3
    for _ in range(100):
        if not any(alive(pid) for pid in pids):
            break
        await asyncio.sleep(0.05)
    assert not any(alive(pid) for pid in pids)


async def test_a_process_that_cannot_start_fails_the_execution_clearly(tmp_path: Path) -> None:
    runtime = DenoCodeRuntime(cache_dir=tmp_path, deno_path=str(tmp_path / "no-deno"), pool_size=1)
    try:
        with pytest.raises(CodeExecutionError, match="Could not start Deno to run the code step"):
            await runtime.run("export const code = () => 1", {})
    finally:
        await runtime.close()
