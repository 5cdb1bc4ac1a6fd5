"""Execution state: immutable; each step handler's outcome yields a new state."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from engine.model import StepRecord, Waitpoint, WebhookResponse


class Verdict(StrEnum):
    """Whether the run goes on, or how it ended."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"
    PAUSED = "PAUSED"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepOutcome:
    """What a step handler returns: the step's output, and whether it answered or stopped the run."""

    output: Any
    response: WebhookResponse | None = None
    stop: bool = False
    #: The waitpoint the step paused on, if it paused.
    pause: Waitpoint | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionState:
    """Outputs by step name (`trigger` included), the records so far, and the verdict.

    `scope_path` prefixes the paths of the steps run from this state: empty at the top level,
    `loop_1[2].` inside a loop's second iteration.
    """

    outputs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    records: tuple[StepRecord, ...] = ()
    response: WebhookResponse | None = None
    verdict: Verdict = Verdict.RUNNING
    failed_step: str | None = None
    error_message: str | None = None
    #: The failed step's path in the log (inside loops it differs from its name).
    failed_path: str | None = None
    scope_path: str = ""

    def with_step(self, record: StepRecord, *, output: Any) -> "ExecutionState":
        """The state after a step recorded `record` and produced `output`."""
        outputs = MappingProxyType({**self.outputs, record.name: output})
        return replace(self, outputs=outputs, records=(*self.records, record))

    def with_output(self, name: str, output: Any) -> "ExecutionState":
        """The state with a step's output in scope, without a record (e.g. a loop's current item)."""
        return replace(self, outputs=MappingProxyType({**self.outputs, name: output}))

    def with_records(self, records: tuple[StepRecord, ...]) -> "ExecutionState":
        """The state with its records replaced (a loop collects each iteration's records apart)."""
        return replace(self, records=records)

    def within(self, scope_path: str) -> "ExecutionState":
        """The state with another path prefix for the steps run from it."""
        return replace(self, scope_path=scope_path)

    def with_response(self, response: WebhookResponse | None) -> "ExecutionState":
        """The state with the webhook response set, if one was given."""
        return self if response is None else replace(self, response=response)

    def ended(
        self,
        verdict: Verdict,
        *,
        failed_step: str | None = None,
        failed_path: str | None = None,
        error: str | None = None,
    ) -> "ExecutionState":
        """The state with a final verdict."""
        return replace(
            self,
            verdict=verdict,
            failed_step=failed_step,
            failed_path=failed_path,
            error_message=error,
        )
