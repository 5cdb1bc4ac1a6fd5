"""Subflows through the harness: what call_flow asks of the server, and the callable trigger.

The server's side (starting the called run, resuming the caller) is tested against the real
server in tests/server/test_subflows.py.
"""

from typing import Any

import pytest

from pieces.framework import ExecutionType, SubflowError
from pieces.framework.testing import RecordingWaitpoints, run_action, run_trigger
from pieces.subflows import piece


class Calls:
    """Keeps what call_flow asked for (the server starts runs in the real thing)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.responses: list[Any] = []

    async def call(self, *, flow_id: str, data: Any, callback: dict[str, str] | None) -> str:
        self.calls.append({"flow_id": flow_id, "data": data, "callback": callback})
        return f"run-{len(self.calls)}"

    async def respond(self, body: Any) -> bool:
        self.responses.append(body)
        return True


async def test_call_flow_without_waiting_returns_the_new_run() -> None:
    calls = Calls()
    result = await run_action(
        piece.action("call_flow"), {"flow": "child", "payload": {"n": 1}}, subflows=calls
    )
    assert result.output == {"runId": "run-1"}
    assert calls.calls == [{"flow_id": "child", "data": {"n": 1}, "callback": None}]
    assert result.run.paused_on is None


async def test_call_flow_that_waits_pauses_with_a_callback_to_its_waitpoint() -> None:
    calls = Calls()
    waitpoints = RecordingWaitpoints()
    result = await run_action(
        piece.action("call_flow"),
        {"flow": "child", "payload": '{"n": 2}', "waitForResponse": True},
        subflows=calls,
        waitpoints=waitpoints,
    )
    assert result.run.paused_on is not None
    assert calls.calls[0]["callback"] == {
        "runId": "test-run",
        "waitpointId": result.run.paused_on.id,
    }
    resumed = await run_action(
        piece.action("call_flow"),
        {"flow": "child", "waitForResponse": True},
        execution_type=ExecutionType.RESUME,
        resume_payload={"body": {"doubled": 4}, "headers": {}, "queryParams": {}},
    )
    assert resumed.output == {"doubled": 4}


async def test_without_a_server_calling_a_flow_is_a_clear_error() -> None:
    with pytest.raises(SubflowError, match="needs the Piecework server"):
        await run_action(piece.action("call_flow"), {"flow": "child"})
    answered = await run_action(piece.action("return_response"), {"response": {"a": 1}})
    assert answered.output == {"response": {"a": 1}, "delivered": False}


async def test_the_callable_trigger_outputs_data_and_callback() -> None:
    items = await run_trigger(
        piece.trigger("callable_flow"),
        payload={"data": {"n": 3}, "callback": {"runId": "r", "waitpointId": "w"}},
    )
    assert items == [{"data": {"n": 3}, "callback": {"runId": "r", "waitpointId": "w"}}]
