"""Run and step records, waitpoints, and the one table of allowed run status transitions."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.model.base import Model


class RunStatus(StrEnum):
    """A flow run's status; terminal ones never change again."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMEOUT = "TIMEOUT"
    STOPPED = "STOPPED"
    LOG_SIZE_EXCEEDED = "LOG_SIZE_EXCEEDED"
    MEMORY_LIMIT_EXCEEDED = "MEMORY_LIMIT_EXCEEDED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    CANCELED = "CANCELED"


#: Statuses a run never leaves.
TERMINAL = frozenset(
    {
        RunStatus.SUCCEEDED,
        RunStatus.FAILED,
        RunStatus.TIMEOUT,
        RunStatus.STOPPED,
        RunStatus.LOG_SIZE_EXCEEDED,
        RunStatus.MEMORY_LIMIT_EXCEEDED,
        RunStatus.INTERNAL_ERROR,
        RunStatus.CANCELED,
    }
)

#: Which status may follow which.
ALLOWED_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELED, RunStatus.INTERNAL_ERROR}),
    RunStatus.RUNNING: frozenset(TERMINAL | {RunStatus.PAUSED, RunStatus.QUEUED}),
    RunStatus.PAUSED: frozenset(
        {RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELED, RunStatus.TIMEOUT}
    ),
    **{status: frozenset() for status in TERMINAL},
}


class InvalidTransitionError(ValueError):
    """A status change the lifecycle does not allow."""

    code = "INVALID_RUN_TRANSITION"


def check_transition(current: RunStatus, new: RunStatus) -> None:
    """Raises InvalidTransitionError unless a run may go from `current` to `new`."""
    if new not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransitionError(f"a {current} run cannot become {new}")


class StepStatus(StrEnum):
    """One step execution's status."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PAUSED = "PAUSED"
    SKIPPED = "SKIPPED"
    STOPPED = "STOPPED"


class StepRecord(Model):
    """What one step did in a run: its resolved input, output or error, and how long it took."""

    name: str
    type: str
    status: StepStatus
    input: Any = None
    output: Any = None
    error_message: str | None = None
    duration_ms: float = 0
    attempts: int = 1
    #: Where the step ran: its name, prefixed inside loops (`loop_1[2].step_3`).
    path: str = ""
    #: The step's settings when it ran, hashed: a replay checks the flow still matches.
    fingerprint: str = ""


class WebhookResponse(Model):
    """The HTTP response a flow gives to a synchronous webhook caller."""

    status: int = 200
    headers: dict[str, str] = {}
    body: Any = None


class WaitpointType(StrEnum):
    """A WEBHOOK waitpoint resumes when its URL is called; a DELAY one at its time."""

    WEBHOOK = "WEBHOOK"
    DELAY = "DELAY"


class Waitpoint(Model):
    """A point a step waits at until it is resumed."""

    id: str
    type: WaitpointType
    #: The waiting step's path in the run log (unique per run: one waitpoint per step execution).
    step_path: str
    resume_url: str = ""
    resume_at: datetime | None = None
    #: The answer a synchronous webhook caller gets right away when the run pauses here.
    response_to_send: WebhookResponse | None = None


class Pause(Model):
    """Where a paused run waits: the step's path in the log and its waitpoint."""

    path: str
    waitpoint: Waitpoint


class RunResult(Model):
    """The outcome of executing a flow run."""

    status: RunStatus
    steps: list[StepRecord] = []
    response: WebhookResponse | None = None
    error_message: str | None = None
    failed_step: str | None = None
    duration_ms: float = 0
    #: Set when the run paused: the step that waits and its waitpoint.
    pause: Pause | None = None


class StepReport(Model):
    """One step in a run report (the shape `piecework run` prints and the API returns)."""

    type: str
    status: StepStatus
    input: Any = None
    output: Any = None
    error_message: str | None = None
    duration: float = 0
    attempts: int = 1


class RunReport(Model):
    """A run's outcome for people and clients: steps keyed by name, in execution order."""

    status: RunStatus
    steps: dict[str, StepReport] = {}
    response: WebhookResponse | None = None
    error: str | None = None
    failed_step: str | None = None
    duration: float = 0
    pause: Pause | None = None


def report(result: RunResult) -> RunReport:
    """The report of a run result (`duration` in milliseconds)."""
    steps = {
        record.name: StepReport(
            type=record.type,
            status=record.status,
            input=record.input,
            output=record.output,
            error_message=record.error_message,
            duration=round(record.duration_ms, 3),
            attempts=record.attempts,
        )
        for record in result.steps
    }
    return RunReport(
        status=result.status,
        steps=steps,
        response=result.response,
        error=result.error_message,
        failed_step=result.failed_step,
        duration=round(result.duration_ms, 3),
        pause=result.pause,
    )
