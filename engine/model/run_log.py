"""A run's durable log: what every step did so far, the run's status, and where it paused.

The engine appends to the log through checkpoints; every execution of the run (the first, after a
crash, after a pause, a retry) reads it back and reuses what is recorded instead of re-running it.
"""

from enum import StrEnum
from typing import Any

from engine.model.base import Model
from engine.model.run import Pause, RunStatus, StepRecord, StepStatus, WebhookResponse


class ExecutionMode(StrEnum):
    """Why the engine executes a run now.

    BEGIN is the first execution and needs an empty log; RESUME continues a PAUSED run with the
    payload that resumed it; RECOVER continues a run whose execution stopped midway (a crash, or
    a retry that reopened it). No mode restarts a paused run from the trigger.
    """

    BEGIN = "BEGIN"
    RESUME = "RESUME"
    RECOVER = "RECOVER"


class RunLog(Model):
    """Everything recorded about a run, in the order it happened.

    `entries` may hold several records for one path (a paused step, then its resumed one); the
    last one counts. Steps inside loops have paths like `loop_1[2].step_3`.
    """

    status: RunStatus | None = None
    entries: list[StepRecord] = []
    pause: Pause | None = None
    #: While a resumed run executes: the payload that resumed it (kept for crash recovery).
    resume_payload: Any = None
    response: WebhookResponse | None = None
    #: Time spent executing (paused time excluded), in milliseconds.
    active_ms: float = 0
    failed_path: str | None = None
    error_message: str | None = None
    size_bytes: int = 0
    #: Which execution of the run loaded the log (the server's run stores count them; 0 where
    #: the store does not). Its checkpoints carry it back.
    execution: int = 0

    def with_checkpoint(self, checkpoint: "Checkpoint") -> "RunLog":
        """The log after a checkpoint: its entries appended, its state taken over."""
        return self.model_copy(
            update={
                "status": checkpoint.status,
                "entries": [*self.entries, *checkpoint.entries],
                "pause": checkpoint.pause,
                "resume_payload": checkpoint.resume_payload,
                "response": checkpoint.response or self.response,
                "active_ms": checkpoint.active_ms,
                "failed_path": checkpoint.failed_path,
                "error_message": checkpoint.error_message,
                "size_bytes": checkpoint.size_bytes,
            }
        )


class Checkpoint(Model):
    """What the engine writes at a checkpoint: new entries and the run's state at that moment."""

    status: RunStatus
    entries: list[StepRecord] = []
    pause: Pause | None = None
    resume_payload: Any = None
    response: WebhookResponse | None = None
    active_ms: float = 0
    failed_path: str | None = None
    error_message: str | None = None
    #: The log's total size so far (entries as JSON, offloaded outputs included).
    size_bytes: int = 0
    #: The execution writing it (`RunLog.execution`): a store refuses it with RunTakenOverError
    #: once the run was started again since.
    execution: int = 0


class RetryStrategy(StrEnum):
    """FROM_FAILED_STEP keeps what succeeded and re-runs from the failed step, on the same flow
    version; ON_LATEST_VERSION is a fresh run of the published version with the same payload."""

    FROM_FAILED_STEP = "FROM_FAILED_STEP"
    ON_LATEST_VERSION = "ON_LATEST_VERSION"


#: Run statuses a run can be retried from.
RETRYABLE = frozenset(
    {
        RunStatus.FAILED,
        RunStatus.TIMEOUT,
        RunStatus.INTERNAL_ERROR,
        RunStatus.MEMORY_LIMIT_EXCEEDED,
        RunStatus.CANCELED,
    }
)


class RetryError(ValueError):
    """The run cannot be retried from its failed step."""

    code = "RUN_NOT_RETRYABLE"


def log_for_retry(log: RunLog) -> RunLog:
    """The log a FROM_FAILED_STEP retry continues from (with mode RECOVER).

    Everything recorded before the failed step is kept; the failed step and every entry after it
    are dropped, so they run again. Active time starts from zero.

    Raises:
        RetryError: the run did not end in a retryable status.
    """
    if log.status not in RETRYABLE:
        shown = "never ran" if log.status is None else f"is {log.status}"
        raise RetryError(
            f"Only failed, timed-out or canceled runs can be retried; this run {shown}"
        )
    keep = len(log.entries)
    if log.failed_path is not None:
        for index, entry in enumerate(log.entries):
            if entry.path == log.failed_path and entry.status is StepStatus.FAILED:
                keep = index
                break
    return RunLog(
        status=RunStatus.RUNNING,
        entries=log.entries[:keep],
        response=log.response,
        size_bytes=sum(len(entry.model_dump_json()) for entry in log.entries[:keep]),
    )


def offloaded(ref: str, size: int) -> dict[str, Any]:
    """What a step's output looks like in the log when it was moved to file storage."""
    return {OFFLOADED_KEY: ref, "size": size}


#: The key marking an output that was moved to file storage.
OFFLOADED_KEY = "$offloaded"
