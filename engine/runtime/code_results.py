"""What a code execution returned, and the messages people see when it failed.

Both runners (a context in a warm process, or a single-use process) answer with the same shape,
`{ok, logs, output}` or `{ok: false, logs, error: {name, message, stack}}`; this turns it into a
`CodeResult` or a `CodeExecutionError` whose message says what happened and where.
"""

import re
from dataclasses import dataclass
from typing import Any

from engine.runtime.errors import CodeExecutionError

#: Errors raised by the runners themselves, whose message is written for people already.
_OWN_ERRORS = ("CodeShapeError", "NonJsonResult")

#: A frame of the user's code in a stack trace: `step.ts:LINE:COL` (process) or `step.js:…`
#: (context; the step's lines are kept, only the first line's columns are shifted).
_STEP_FRAME = re.compile(r"step\.[jt]s:(\d+):\d+")

#: Where Deno's parser points in the step: `step.ts:LINE:COLUMN`.
_SOURCE_POSITION = re.compile(r"step\.ts:(\d+):(\d+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeResult:
    """What one execution returned, and what it logged with console.*."""

    output: Any
    logs: tuple[str, ...] = ()


def result_from_answer(answer: dict[str, Any], *, memory_hint: str) -> CodeResult:
    """The result of a runner's answer.

    Args:
        answer: the runner's answer.
        memory_hint: how the memory limit is described in an out-of-memory message.

    Raises:
        CodeExecutionError: the execution failed; the message says how and at which line.
    """
    logs = tuple(answer.get("logs", ()))
    if answer["ok"]:
        return CodeResult(output=answer["output"], logs=logs)
    raise CodeExecutionError(error_message(answer["error"], memory_hint=memory_hint), logs=logs)


def error_message(error: dict[str, Any], *, memory_hint: str) -> str:
    """A person's message for a runner's `{name, message, stack}` error."""
    name, text = str(error.get("name", "Error")), str(error.get("message", ""))
    if name in _OWN_ERRORS:
        return text
    if text.startswith("SyntaxError: "):  # a module that does not parse, as Deno reports it
        first = text.splitlines()[0]
        position = _SOURCE_POSITION.search(text)
        if position is None:
            return first
        return f"{first} (line {position[1]}, column {position[2]})"
    if "Array buffer allocation failed" in text:
        return f"The code step ran out of memory ({memory_hint}) and was stopped"
    message = f"{name}: {text}"
    if "Requires net access to" in text:
        message += (
            " — code steps may not reach loopback, private or link-local addresses"
            " (the administrator can allow some with PW_SSRF_ALLOW_LIST)"
        )
    frame = _STEP_FRAME.search(str(error.get("stack", "")))
    if frame is not None:
        message += f" (line {frame[1]} of the code)"
    return message
