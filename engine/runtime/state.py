"""Execution state: immutable; each step handler's outcome yields a new state."""

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import immutables

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


@dataclass(frozen=True, slots=True)
class _Recorded:
    """One link of the records chain: a record and the records before it."""

    previous: "_Recorded | None"
    record: StepRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionState:
    """Outputs by step name (`trigger` included), the records so far, and the verdict.

    Outputs are a persistent map and records a chain, so adding a step costs the same in a flow
    of ten steps or ten thousand (a replay walks every recorded step this way).
    `scope_path` prefixes the paths of the steps run from this state: empty at the top level,
    `loop_1[2].` inside a loop's second iteration.
    """

    outputs: immutables.Map[str, Any] = field(default_factory=immutables.Map)
    chain: _Recorded | None = None
    response: WebhookResponse | None = None
    verdict: Verdict = Verdict.RUNNING
    failed_step: str | None = None
    error_message: str | None = None
    #: The failed step's path in the log (inside loops it differs from its name).
    failed_path: str | None = None
    scope_path: str = ""

    @property
    def records(self) -> tuple[StepRecord, ...]:
        """The records so far, in order."""
        found: list[StepRecord] = []
        link = self.chain
        while link is not None:
            found.append(link.record)
            link = link.previous
        return tuple(reversed(found))

    def _changed(self, **changes: Any) -> "ExecutionState":
        # dataclasses.replace costs several microseconds; states change at every step.
        new = object.__new__(ExecutionState)
        for name in _FIELDS:
            object.__setattr__(new, name, changes[name] if name in changes else getattr(self, name))
        return new

    def for_iteration(self, loop_name: str, current: Any, scope_path: str) -> "ExecutionState":
        """The state a loop iteration starts from: the loop's current item in scope, no records
        yet, and the iteration's path prefix."""
        outputs = self.outputs.set(loop_name, current)
        return self._changed(outputs=outputs, chain=None, scope_path=scope_path)

    def with_step(self, record: StepRecord, *, output: Any) -> "ExecutionState":
        """The state after a step recorded `record` and produced `output`."""
        return self._changed(
            outputs=self.outputs.set(record.name, output), chain=_Recorded(self.chain, record)
        )

    def with_chain(self, chain: _Recorded | None) -> "ExecutionState":
        """The state with the records of another state (a loop collects each iteration's
        records apart, then puts the outer ones back)."""
        return self._changed(chain=chain)

    def within(self, scope_path: str) -> "ExecutionState":
        """The state with another path prefix for the steps run from it."""
        return self._changed(scope_path=scope_path)

    def with_response(self, response: WebhookResponse | None) -> "ExecutionState":
        """The state with the webhook response set, if one was given."""
        return self if response is None else self._changed(response=response)

    def ended(
        self,
        verdict: Verdict,
        *,
        failed_step: str | None = None,
        failed_path: str | None = None,
        error: str | None = None,
    ) -> "ExecutionState":
        """The state with a final verdict."""
        return self._changed(
            verdict=verdict,
            failed_step=failed_step,
            failed_path=failed_path,
            error_message=error,
        )


_FIELDS = tuple(f.name for f in fields(ExecutionState))
