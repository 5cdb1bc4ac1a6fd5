"""Connections in step inputs: the step gets the value, the run log only REDACTED."""

from engine.model import RunStatus
from engine.runtime.executor import FlowExecutor
from engine.runtime.templating import REDACTED
from tests.engine.builders import code, flow, request

SECRET = {"type": "SECRET_TEXT", "secret_text": "sk-very-secret-123"}


async def test_step_uses_the_connection_and_the_log_keeps_it_secret(executor: FlowExecutor) -> None:
    step = code(
        "step_1",
        "export const code = async (inputs) => ({ length: inputs.token.length, whole: typeof inputs.auth })",
        token="{{connections['openai'].secret_text}}",
        auth="{{connections['openai']}}",
        note="for {{trigger.body.who}}",
    )
    result = await executor.execute(
        flow(step),
        run_id="r",
        trigger_payload=request({"who": "Ada"}),
        connections={"openai": SECRET},
    )
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    record = result.steps[1]
    assert record.output == {"length": len(SECRET["secret_text"]), "whole": "object"}
    assert record.input == {
        "token": REDACTED,
        "auth": {"type": REDACTED, "secret_text": REDACTED},
        "note": "for Ada",
    }
    assert "sk-very-secret" not in result.model_dump_json()


async def test_missing_connection_says_which_and_what_to_do(executor: FlowExecutor) -> None:
    step = code(
        "step_1", "export const code = async (inputs) => 1", token="{{connections['slack']}}"
    )
    result = await executor.execute(
        flow(step), run_id="r", trigger_payload=request({}), connections={"openai": SECRET}
    )
    assert result.status == RunStatus.FAILED
    assert "this project has no connection 'slack'; create it under Connections" in (
        result.error_message or ""
    )
