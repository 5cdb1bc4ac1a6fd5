"""Execution state: immutable; each step handler's outcome yields a new state."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from engine.model import StepRecord, WebhookResponse


class Verdict(StrEnum):
    """Whether the run goes on, or how it ended."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


@dataclass(frozen=True, slots=True, kw_only=True)
class StepOutcome:
    """What a step handler returns: the step's output, and whether it answered or stopped the run."""

    output: Any
    response: WebhookResponse | None = None
    stop: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionState:
    """Outputs by step name (`trigger` included), the records so far, and the verdict."""

    outputs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    records: tuple[StepRecord, ...] = ()
    response: WebhookResponse | None = None
    verdict: Verdict = Verdict.RUNNING
    failed_step: str | None = None
    error_message: str | None = None

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

    def with_response(self, response: WebhookResponse | None) -> "ExecutionState":
        """The state with the webhook response set, if one was given."""
        return self if response is None else replace(self, response=response)

    def ended(
        self, verdict: Verdict, *, failed_step: str | None = None, error: str | None = None
    ) -> "ExecutionState":
        """The state with a final verdict."""
        return replace(self, verdict=verdict, failed_step=failed_step, error_message=error)
