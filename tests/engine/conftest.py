"""Engine test fixtures: an executor with the real Deno runtime and the installed pieces."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor
from pieces.framework import PieceRegistry


@pytest.fixture
async def executor(tmp_path: Path) -> AsyncIterator[FlowExecutor]:
    async def no_wait(_: float) -> None:
        return None

    runtime = DenoCodeRuntime(cache_dir=tmp_path)
    yield FlowExecutor(registry=PieceRegistry.discover(), code_runtime=runtime, sleep=no_wait)
    await runtime.close()
