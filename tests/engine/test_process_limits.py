"""The OS memory limit of Deno processes: settings, and the limit seen by real processes."""

import asyncio
import resource
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_contexts import CodeIsolation
from engine.runtime.errors import CodeExecutionError
from engine.runtime.process_limits import (
    DEFAULT_MEMORY_LIMIT_MB,
    MemoryLimitError,
    check_memory_limit,
    memory_limit_from_env,
)

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="prlimit exists on Linux only"
)


def data_limit_mb(pid: int) -> int:
    soft, _ = resource.prlimit(pid, resource.RLIMIT_DATA)
    return -1 if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64, memory_mb=700, pool_size=1)
    yield runtime
    await runtime.close()


def test_memory_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PW_CODE_MEMORY_LIMIT_MB", raising=False)
    assert memory_limit_from_env() == DEFAULT_MEMORY_LIMIT_MB
    monkeypatch.setenv("PW_CODE_MEMORY_LIMIT_MB", "2048")
    assert memory_limit_from_env() == 2048
    monkeypatch.setenv("PW_CODE_MEMORY_LIMIT_MB", "0")
    assert memory_limit_from_env() == 0
    for bad in ("100", "lots", "-5"):
        monkeypatch.setenv("PW_CODE_MEMORY_LIMIT_MB", bad)
        with pytest.raises(MemoryLimitError, match=r"must be 0 \(no limit\) or at least 600"):
            memory_limit_from_env()


def test_the_limit_must_leave_room_for_the_heap(tmp_path: Path) -> None:
    check_memory_limit(limit_mb=1024, heap_mb=256)
    check_memory_limit(limit_mb=0, heap_mb=4096)
    with pytest.raises(MemoryLimitError, match="at least 600 MB more than the heap cap"):
        DenoCodeRuntime(cache_dir=tmp_path, heap_mb=512, memory_mb=1000)


@linux_only
async def test_every_deno_process_runs_under_the_limit(runtime: DenoCodeRuntime) -> None:
    await runtime.contexts.wait_ready()
    assert [data_limit_mb(pid) for pid in runtime.contexts.server_pids()] == [700]
    source = "export const code = async () => Deno.pid"
    pid = (await runtime.run(source, {})).output
    assert isinstance(pid, int)
    for _ in range(100):  # the pool starts the next single-use process in the background
        if runtime.pool.ready_pids():
            break
        await asyncio.sleep(0.02)
    assert [data_limit_mb(pid) for pid in runtime.pool.ready_pids()] == [700]


@linux_only
@pytest.mark.parametrize("isolation", list(CodeIsolation))
async def test_memory_outside_the_heap_is_bounded(tmp_path: Path, isolation: CodeIsolation) -> None:
    runtime = DenoCodeRuntime(
        cache_dir=tmp_path, heap_mb=64, memory_mb=700, pool_size=1, isolation=isolation
    )
    # Each buffer is small; together they pass the OS limit long before the heap cap matters.
    grab = "export const code = async () => { const all = []; for (let i = 0; i < 100; i++) all.push(new Uint8Array(64 * 1024 * 1024).fill(1)); return all.length }"
    try:
        with pytest.raises(CodeExecutionError) as caught:
            await runtime.run(grab, {}, timeout_s=30)
        assert caught.value.message == (
            "The code step ran out of memory (heap limit 64 MB, memory limit 700 MB) and was stopped"
        )
        assert (await runtime.run("export const code = async () => 'ok'", {})).output == "ok"
    finally:
        await runtime.close()
