"""The sample flow built from core pieces only runs end to end through the engine."""

import json
from pathlib import Path

from engine.model import RunStatus, load_flow
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.executor import FlowExecutor
from pieces.framework import PieceRegistry
from tests.conftest import SAMPLES


async def test_signup_summary_sample_uses_core_pieces_only(tmp_path: Path) -> None:
    flow = load_flow(json.loads((SAMPLES / "signup_summary_webhook.json").read_text()))
    runtime = DenoCodeRuntime(cache_dir=tmp_path)
    executor = FlowExecutor(registry=PieceRegistry.discover(), code_runtime=runtime)
    payload = {
        "method": "POST",
        "headers": {},
        "queryParams": {},
        "body": {"name": "Zoë Müller", "tags": "vip,beta", "at": "2026-01-31T23:30:00Z"},
    }
    try:
        result = await executor.execute(flow, run_id="sample", trigger_payload=payload)
    finally:
        await runtime.close()
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert result.response is not None
    assert result.response.status == 201
    assert result.response.body == {
        "id": "zoe-muller",
        "tags": ["vip", "beta"],
        "joined": "1 February 2026",
        "signupNumber": 1,
    }
