"""The step handler protocols and what a handler gets besides its step and input."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep, StepRecord, StepStatus
from engine.runtime.run_http import RunHttp
from engine.runtime.state import ExecutionState, StepOutcome
from pieces.framework import (
    ExecutionType,
    NoSubflows,
    NoWaitpoints,
    ServerInfo,
    SubflowClient,
    WaitpointClient,
)

AnyStep = CodeStep | PieceStep | LoopStep | RouterStep

#: Runs child steps in order from a state and returns the state after them (the executor's runner).
RunSteps = Callable[[Sequence[AnyStep], ExecutionState], Awaitable[ExecutionState]]


async def _no_effects() -> None:
    """Where nothing is saved ahead of a step's effects."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepContext:
    """Run-wide facts a handler may use."""

    run_id: str
    timeout_s: float
    server: ServerInfo
    #: Connection values by external id, for `{{connections['id']}}` in step inputs.
    connections: Mapping[str, Any] = field(default_factory=dict)
    #: The step's path in the run log.
    step_path: str = ""
    #: BEGIN, or RESUME for the step a paused run resumes at.
    execution_type: ExecutionType = ExecutionType.BEGIN
    #: On RESUME, what resumed the run (`{body, headers, queryParams}`).
    resume_payload: Any = None
    waitpoints: WaitpointClient = field(default_factory=NoWaitpoints)
    #: The execution's shared HTTP client; without one, a piece step makes its own.
    http: RunHttp | None = None
    #: Starts other flows of the run's project (the server's, per run).
    subflows: SubflowClient = field(default_factory=NoSubflows)
    #: Called by a handler that decides only as it runs that the step will act outside the run
    #: (a code step handed to a Deno process, which may reach the network): the earlier steps
    #: with effects are saved first, and this step counts as one.
    before_effects: Callable[[], Awaitable[None]] = _no_effects


class StepHandler(Protocol):
    """Executes one step once, given its resolved input."""

    async def __call__(
        self,
        step: AnyStep,
        resolved_input: dict[str, Any],
        ctx: StepContext,
    ) -> StepOutcome: ...


class LogStep(Protocol):
    """Records a control step in the run log and adds it to the state with its output."""

    async def __call__(
        self,
        step: AnyStep,
        state: ExecutionState,
        *,
        status: StepStatus,
        input: Any,
        output: Any,
        began: float,
        error_message: str | None = None,
    ) -> ExecutionState: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlContext:
    """What a control-flow handler (loop, router) needs from the executor: its step runner,
    clock and log, and what the run recorded earlier (on replay)."""

    run_steps: RunSteps
    clock: Callable[[], float]
    log: LogStep
    recorded: Callable[[str], StepRecord | None]
    #: The values of the JavaScript expressions in a value, evaluated in a state's scope.
    expressions: Callable[[Any, ExecutionState], Awaitable[dict[str, Any]]]


class ControlHandler(Protocol):
    """Executes a step that contains other steps, returning the state after it and its children.

    It raises EngineError only for a problem of the step itself (e.g. its items are not a list),
    before any child ran; a failing child is recorded in the returned state instead.
    """

    async def __call__(
        self, step: AnyStep, state: ExecutionState, ctx: ControlContext
    ) -> ExecutionState: ...
