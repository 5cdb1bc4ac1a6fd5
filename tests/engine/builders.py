"""Builders for engine tests: flows from a few calls instead of raw dicts."""

from typing import Any

from engine.model import (
    CodeSettings,
    CodeStep,
    ErrorHandlingOptions,
    ErrorOption,
    Flow,
    LoopStep,
    PieceSettings,
    PieceStep,
    PieceTrigger,
    PieceTriggerSettings,
    SourceCode,
)

AnyStep = CodeStep | PieceStep | LoopStep


def webhook_trigger() -> PieceTrigger:
    return PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="webhook", piece_version="0.1.0", trigger_name="catch_webhook"
        )
    )


def errors(*, retry: bool = False, go_on: bool = False) -> ErrorHandlingOptions:
    return ErrorHandlingOptions(
        retry_on_failure=ErrorOption(value=retry), continue_on_failure=ErrorOption(value=go_on)
    )


def code(
    name: str,
    source: str,
    *,
    skip: bool = False,
    retry: bool = False,
    go_on: bool = False,
    **inputs: Any,
) -> CodeStep:
    return CodeStep(
        name=name,
        skip=skip,
        settings=CodeSettings(
            source_code=SourceCode(code=source),
            input=inputs,
            error_handling_options=errors(retry=retry, go_on=go_on),
        ),
    )


def respond(
    name: str, *, body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> PieceStep:
    return PieceStep(
        name=name,
        settings=PieceSettings(
            piece_name="webhook",
            piece_version="0.1.0",
            action_name="return_response",
            input={"status": status, "headers": headers or {}, "body_type": "json", "body": body},
        ),
    )


def flow(*steps: AnyStep, name: str = "Test flow") -> Flow:
    return Flow(display_name=name, trigger=webhook_trigger(), steps=list(steps))


def request(body: Any) -> dict[str, Any]:
    """A webhook trigger payload."""
    return {"method": "POST", "headers": {}, "queryParams": {}, "body": body}
