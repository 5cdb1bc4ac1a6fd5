"""Engine test fixtures: an executor with the real Deno runtime and the installed pieces."""

from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor
from pieces.framework import PieceRegistry


@pytest.fixture
def executor(tmp_path: Path) -> FlowExecutor:
    async def no_wait(_: float) -> None:
        return None

    return FlowExecutor(
        registry=PieceRegistry.discover(),
        code_runtime=DenoCodeRuntime(cache_dir=tmp_path),
        sleep=no_wait,
    )
