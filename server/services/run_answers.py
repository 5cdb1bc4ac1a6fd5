"""What a run's sync caller is answered, sent on its end's NOTIFY so that no one reads it again.

A run that ends (or pauses) notifies `RUN_FINISHED_CHANNEL` with its id and, when they fit in
a notification, its status, response and error: the server that waits for it (`RunWaiter`)
answers its webhook caller from that alone. A larger answer is sent as the id only, and the
waiter reads it from the run's row.
"""

import json
from dataclasses import dataclass
from typing import Any

from engine.model import RunResult, RunStatus, WebhookResponse

#: NOTIFY channel a run's end is sent on.
RUN_FINISHED_CHANNEL = "pw_run_finished"
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
MAX_MESSAGE_BYTES = 7900


@dataclass(frozen=True, slots=True, kw_only=True)
class RunAnswer:
    """A run that ended (or paused with a response to send): what its caller is answered."""

    status: RunStatus
    #: The flow's Return Response, if it gave one.
    response: WebhookResponse | None
    error: str | None


def answer_message(run_id: str, result: RunResult) -> str:
    """The NOTIFY payload of a run's end: its answer with its id, or its id alone (as JSON) when
    the answer is too large for a notification."""
    message = json.dumps(
        {
            "runId": run_id,
            "status": result.status.value,
            "response": None if result.response is None else result.response.model_dump(),
            "error": result.error_message,
        },
        separators=(",", ":"),
    )
    if len(message.encode()) > MAX_MESSAGE_BYTES:
        return json.dumps({"runId": run_id})
    return message


def read_answer_message(payload: str) -> tuple[str, RunAnswer | None]:
    """The run id of a NOTIFY payload, and its answer if the payload carries one.

    A payload that is not JSON is a bare run id (as servers before the answer was sent along
    notified, during a rolling upgrade).
    """
    try:
        message: Any = json.loads(payload)
    except ValueError:
        return payload, None
    if not isinstance(message, dict) or not isinstance(message.get("runId"), str):
        return payload, None
    run_id = message["runId"]
    if "status" not in message:
        return run_id, None
    return run_id, answer_of(message["status"], message.get("response"), message.get("error"))


def answer_of(status: str, response: Any, error: str | None) -> RunAnswer:
    """An answer from its stored form (the run row's columns, or a notification)."""
    return RunAnswer(
        status=RunStatus(status),
        response=None if response is None else WebhookResponse.model_validate(response),
        error=error,
    )
