"""Builders for engine tests: flows from a few calls instead of raw dicts."""

from typing import Any

from engine.model import (
    Branch,
    BranchType,
    CodeSettings,
    CodeStep,
    Condition,
    ConditionOperator,
    ErrorHandlingOptions,
    ErrorOption,
    Flow,
    LoopSettings,
    LoopStep,
    PieceSettings,
    PieceStep,
    PieceTrigger,
    PieceTriggerSettings,
    RouterExecutionType,
    RouterSettings,
    RouterStep,
    SourceCode,
)

AnyStep = CodeStep | PieceStep | LoopStep | RouterStep


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


def loop(name: str, items: str, *steps: AnyStep) -> LoopStep:
    return LoopStep(name=name, settings=LoopSettings(items=items), steps=list(steps))


def when(
    first: Any, operator: str, second: Any = None, *, case_sensitive: bool = False
) -> Condition:
    return Condition(
        first_value=first,
        operator=ConditionOperator(operator),
        second_value=second,
        case_sensitive=case_sensitive,
    )


def branch(name: str, *steps: AnyStep, conditions: list[list[Condition]]) -> Branch:
    return Branch(branch_name=name, conditions=conditions, steps=list(steps))


def fallback(*steps: AnyStep, name: str = "Otherwise") -> Branch:
    return Branch(branch_name=name, branch_type=BranchType.FALLBACK, steps=list(steps))


def router(name: str, *branches: Branch, all_matches: bool = False) -> RouterStep:
    mode = (
        RouterExecutionType.EXECUTE_ALL_MATCH
        if all_matches
        else RouterExecutionType.EXECUTE_FIRST_MATCH
    )
    return RouterStep(
        name=name, settings=RouterSettings(execution_type=mode), branches=list(branches)
    )


def piece(name: str, piece_name: str, action: str, **inputs: Any) -> PieceStep:
    """A step running `action` of a built-in piece (version 0.1.0) with these inputs."""
    return PieceStep(
        name=name,
        settings=PieceSettings(
            piece_name=piece_name, piece_version="0.1.0", action_name=action, input=inputs
        ),
    )
