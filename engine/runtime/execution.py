"""One execution of a run: walks the flow from the trigger, reusing what the log recorded."""

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import immutables

from engine.model import (
    ExecutionMode,
    Flow,
    Pause,
    PieceTrigger,
    RunLog,
    RunResult,
    RunStatus,
    StepRecord,
    StepStatus,
)
from engine.runtime.errors import EngineError, UnsupportedStepError
from engine.runtime.handlers import (
    AnyStep,
    ControlContext,
    ControlHandler,
    StepContext,
    StepHandler,
)
from engine.runtime.log_writer import LogFullError, RunLogWriter
from engine.runtime.output_store import OutputStore, rehydrate
from engine.runtime.replay import TRIGGER, Replay, ReplayError
from engine.runtime.run_http import RunHttp
from engine.runtime.run_resources import DEFAULT_RUN_RESOURCES
from engine.runtime.state import ExecutionState, StepOutcome, Verdict
from engine.runtime.templating import (
    REDACTED,
    Evaluate,
    expressions_using,
    redacted,
    resolve,
    resolve_expressions,
)
from engine.runtime.trigger_input import trigger_input
from pieces.framework import (
    ExecutionType,
    NoSubflows,
    PieceError,
    PieceRegistry,
    ServerInfo,
    SubflowClient,
    TriggerContext,
    WaitpointClient,
)

log = logging.getLogger(__name__)

#: Attempts of a step with retryOnFailure, and the wait before each retry (seconds).
RETRY_DELAYS_S = (1.0, 2.0, 4.0)

#: Recorded step statuses that are final: a replay reuses them as they are.
_FINAL = frozenset(
    {StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.STOPPED}
)

_VERDICT_STATUS = {
    Verdict.SUCCEEDED: RunStatus.SUCCEEDED,
    Verdict.STOPPED: RunStatus.SUCCEEDED,
    Verdict.FAILED: RunStatus.FAILED,
    Verdict.RUNNING: RunStatus.SUCCEEDED,
    Verdict.PAUSED: RunStatus.PAUSED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """What an execution uses besides the flow: pieces, handlers, storage, the clock."""

    registry: PieceRegistry
    handlers: Mapping[str, StepHandler]
    control_handlers: Mapping[str, ControlHandler]
    outputs: OutputStore
    waitpoints: WaitpointClient
    server: ServerInfo
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
    #: Evaluates `{{ }}` JavaScript expressions; None where there is no code runtime.
    evaluate: Evaluate | None = None


class Execution:
    """Executes a run once: the first time, after a crash, or on resume.

    Steps with a final record in the log are not run again: their recorded output is reused.
    On RESUME, the paused step runs again with the resume payload; every other step sees BEGIN.
    """

    def __init__(
        self,
        *,
        services: Services,
        flow: Flow,
        run_id: str,
        log: RunLog,
        prints: Mapping[str, tuple[str, str]],
        replay: Replay,
        writer: RunLogWriter,
        connections: Mapping[str, Any],
        resume_payload: Any,
        mode: ExecutionMode,
        subflows: SubflowClient | None = None,
        payload_is_trigger_output: bool = False,
    ) -> None:
        self._services = services
        self._payload_is_output = payload_is_trigger_output
        self._flow = flow
        self._run_id = run_id
        self._replay = replay
        self._writer = writer
        self._connections = dict(connections)
        self._prints = prints
        resuming = mode is ExecutionMode.RESUME or (
            mode is ExecutionMode.RECOVER and log.resume_payload is not None
        )
        self._resume_path = log.pause.path if resuming and log.pause is not None else None
        self._resume_payload = resume_payload if resume_payload is not None else log.resume_payload
        self._response = log.response
        self._deadline = 0.0
        self._http = RunHttp()
        self._subflows = subflows or NoSubflows()

    async def run(self, trigger_payload: Any, *, remaining_s: float, limit_s: float) -> RunResult:
        """Runs the flow within `remaining_s` of active time (of the run's `limit_s`) and saves
        the final checkpoint."""
        started = self._services.clock()
        self._deadline = started + remaining_s
        state = ExecutionState(response=self._response)
        try:
            async with asyncio.timeout(remaining_s):
                state = await self._trigger(trigger_payload, state)
                if state.verdict is Verdict.RUNNING:
                    state = await self._run_steps(self._flow.steps, state)
        except TimeoutError:
            return await self._finish(
                state,
                started,
                status=RunStatus.TIMEOUT,
                error=f"The run took longer than {limit_s:g} s of active time (its time limit)",
            )
        except LogFullError as err:
            return await self._finish(
                state, started, status=RunStatus.LOG_SIZE_EXCEEDED, error=err.message
            )
        finally:
            await self._http.aclose()
        return await self._finish(
            state, started, status=_VERDICT_STATUS[state.verdict], error=state.error_message
        )

    async def _finish(
        self, state: ExecutionState, started: float, *, status: RunStatus, error: str | None
    ) -> RunResult:
        self._writer.response = state.response
        await self._writer.save(status, failed_path=state.failed_path, error_message=error)
        return RunResult(
            status=status,
            steps=list(state.records),
            response=state.response,
            error_message=error,
            failed_step=state.failed_step,
            duration_ms=(self._services.clock() - started) * 1000,
            pause=self._writer.pause if status is RunStatus.PAUSED else None,
        )

    # ------------------------------------------------------------------ trigger

    async def _trigger(self, payload: Any, state: ExecutionState) -> ExecutionState:
        recorded = self._replay.get(TRIGGER)
        if recorded is not None:
            output = await rehydrate(recorded.output, self._services.outputs)
            return state.with_step(recorded, output=output)
        flow = self._flow
        began = self._services.clock()
        trigger_name = (
            flow.trigger.settings.trigger_name if isinstance(flow.trigger, PieceTrigger) else None
        )
        if not isinstance(flow.trigger, PieceTrigger) or not trigger_name:
            return state.ended(
                Verdict.FAILED,
                failed_step=TRIGGER,
                error="The flow has no trigger set up; choose one first",
            )
        if self._payload_is_output:
            # The server ran the trigger when the event came (a poll, a webhook): one item each.
            record = self._record(
                TRIGGER,
                flow.trigger.type,
                state,
                status=StepStatus.SUCCEEDED,
                began=began,
                output=payload,
            )
            return state.with_step(await self._writer.add(record), output=payload)
        settings = flow.trigger.settings
        try:
            piece = self._services.registry.get(settings.piece_name, settings.piece_version)
            trigger = piece.trigger(trigger_name)
            given = await trigger_input(piece, trigger, settings.input, self._connections)
            store, files = DEFAULT_RUN_RESOURCES.for_run(self._run_id)
            items = await trigger.run(
                TriggerContext(
                    props=given.props,
                    auth=given.auth,
                    payload=payload,
                    store=store,
                    files=files,
                    server=self._services.server,
                )
            )
        except (PieceError, EngineError) as err:
            record = self._record(
                TRIGGER,
                flow.trigger.type,
                state,
                status=StepStatus.FAILED,
                began=began,
                error_message=err.message,
            )
            state = state.with_step(await self._writer.add(record), output=None)
            return state.ended(
                Verdict.FAILED, failed_step=TRIGGER, failed_path=TRIGGER, error=err.message
            )
        output = items[0] if items else None
        record = self._record(
            TRIGGER,
            flow.trigger.type,
            state,
            status=StepStatus.SUCCEEDED,
            began=began,
            input=payload,
            output=output,
        )
        return state.with_step(await self._writer.add(record), output=output)

    # ------------------------------------------------------------------ steps

    async def _run_steps(self, steps: Sequence[AnyStep], state: ExecutionState) -> ExecutionState:
        """Runs steps in order until one ends the run; a finished list leaves the verdict RUNNING."""
        for step in steps:
            state = await self._run_step(step, state)
            if state.verdict is not Verdict.RUNNING:
                return state
        return state

    async def _run_step(self, step: AnyStep, state: ExecutionState) -> ExecutionState:
        path = state.scope_path + step.name
        recorded = self._replay.get(path)
        resuming = False
        if recorded is not None and step.type != "ROUTER":
            if recorded.status in _FINAL:
                return await self._reuse(recorded, state)
            if (
                recorded.status is StepStatus.PAUSED
                and step.type not in self._services.control_handlers
            ):
                if path != self._resume_path:
                    raise ReplayError(
                        f"Step {path!r} is recorded as paused, but the run is not resuming it; "
                        "resume the run through the step's waitpoint"
                    )
                resuming = True
        if step.skip:
            record = self._record(
                step.name, step.type, state, status=StepStatus.SKIPPED, began=self._services.clock()
            )
            return state.with_step(await self._writer.add(record), output=None)
        control = self._services.control_handlers.get(step.type)
        if control is not None:
            return await self._run_control(step, control, state)
        return await self._run_action(step, state, resuming=resuming)

    async def _reuse(self, recorded: StepRecord, state: ExecutionState) -> ExecutionState:
        output = await rehydrate(recorded.output, self._services.outputs)
        state = state.with_step(recorded, output=output)
        if recorded.status is StepStatus.STOPPED:
            return state.ended(Verdict.STOPPED)
        return state

    async def _run_action(
        self, step: AnyStep, state: ExecutionState, *, resuming: bool
    ) -> ExecutionState:
        handler = self._services.handlers.get(step.type)
        options = getattr(step.settings, "error_handling_options", None)
        retry = bool(options and options.retry_on_failure.value)
        go_on = bool(options and options.continue_on_failure.value)
        raw_input: Mapping[str, Any] = getattr(step.settings, "input", {})
        clock = self._services.clock
        began = clock()
        recorded: Any = None
        attempts = 0
        error = ""
        await self._writer.before_step(step.name)  # earlier effects are saved before this one's
        for attempt, delay in enumerate((0.0, *(RETRY_DELAYS_S if retry else ())), start=1):
            attempts = attempt
            if delay:
                await self._services.sleep(delay)
            try:
                if handler is None:
                    raise UnsupportedStepError(f"{step.type} is not a step type this engine knows")
                scope = state.outputs.set("connections", self._connections)
                evaluated = await self._expressions(raw_input, scope)
                resolved = resolve(dict(raw_input), scope, evaluated)
                recorded = _recorded_input(
                    raw_input, state.outputs, self._connections, resolved, evaluated
                )
                step_ctx = StepContext(
                    run_id=self._run_id,
                    timeout_s=max(self._deadline - clock(), 0.001),
                    server=self._services.server,
                    connections=self._connections,
                    step_path=state.scope_path + step.name,
                    execution_type=ExecutionType.RESUME if resuming else ExecutionType.BEGIN,
                    resume_payload=self._resume_payload if resuming else None,
                    waitpoints=self._services.waitpoints,
                    http=self._http,
                    subflows=self._subflows,
                    before_effects=functools.partial(self._writer.effects_begin, step.name),
                )
                outcome = await handler(step, resolved, step_ctx)
            except (EngineError, PieceError) as err:
                error = err.message
                continue
            except Exception as err:  # a bug in a piece must fail its step, not the worker
                log.exception("step %s raised an unexpected error", step.name)
                error = f"Unexpected error in step {step.name!r}: {type(err).__name__}: {err}"
                continue
            if resuming:
                self._writer.pause = None
                self._writer.resume_payload = None
            return await self._succeeded(
                step, state, outcome, input=recorded, began=began, attempts=attempts
            )
        if resuming:
            self._writer.pause = None
            self._writer.resume_payload = None
        return await self._failed(
            step, state, error=error, input=recorded, began=began, attempts=attempts, go_on=go_on
        )

    async def _expressions(self, value: Any, scope: Mapping[str, Any]) -> dict[str, Any]:
        """The values of the JavaScript expressions in `value` ({} when it has none)."""
        if self._services.evaluate is None:
            return {}
        return await resolve_expressions(value, scope, self._services.evaluate)

    async def _state_expressions(self, value: Any, state: ExecutionState) -> dict[str, Any]:
        return await self._expressions(value, state.outputs)

    async def _run_control(
        self, step: AnyStep, handler: ControlHandler, state: ExecutionState
    ) -> ExecutionState:
        began = self._services.clock()
        ctx = ControlContext(
            run_steps=self._run_steps,
            clock=self._services.clock,
            log=self._log_control,
            recorded=self._replay.get,
            expressions=self._state_expressions,
        )
        try:
            return await handler(step, state, ctx)
        except (EngineError, PieceError) as err:
            return await self._failed(
                step, state, error=err.message, input=None, began=began, attempts=1, go_on=False
            )

    async def _log_control(
        self,
        step: AnyStep,
        state: ExecutionState,
        *,
        status: StepStatus,
        input: Any,
        output: Any,
        began: float,
        error_message: str | None = None,
    ) -> ExecutionState:
        record = self._record(
            step.name,
            step.type,
            state,
            status=status,
            began=began,
            input=input,
            output=output,
            error_message=error_message,
        )
        return state.with_step(await self._writer.add(record), output=output)

    async def _failed(
        self,
        step: AnyStep,
        state: ExecutionState,
        *,
        error: str,
        input: Any,
        began: float,
        attempts: int,
        go_on: bool,
    ) -> ExecutionState:
        output = {"error": error} if go_on else None
        record = self._record(
            step.name,
            step.type,
            state,
            status=StepStatus.FAILED,
            began=began,
            input=input,
            output=output,
            error_message=error,
            attempts=attempts,
        )
        state = state.with_step(await self._writer.add(record), output=output)
        if go_on:
            return state
        return state.ended(
            Verdict.FAILED,
            failed_step=step.name,
            failed_path=record.path,
            error=f"Step {step.name!r} failed: {error}",
        )

    async def _succeeded(
        self,
        step: AnyStep,
        state: ExecutionState,
        outcome: StepOutcome,
        *,
        input: Any,
        began: float,
        attempts: int,
    ) -> ExecutionState:
        if outcome.pause is not None:
            record = self._record(
                step.name,
                step.type,
                state,
                status=StepStatus.PAUSED,
                began=began,
                input=input,
                attempts=attempts,
            )
            self._writer.pause = Pause(path=record.path, waitpoint=outcome.pause)
            state = state.with_step(await self._writer.add(record), output=None)
            return state.with_response(outcome.pause.response_to_send).ended(Verdict.PAUSED)
        record = self._record(
            step.name,
            step.type,
            state,
            status=StepStatus.STOPPED if outcome.stop else StepStatus.SUCCEEDED,
            began=began,
            input=input,
            output=outcome.output,
            attempts=attempts,
        )
        state = state.with_response(outcome.response)
        self._writer.response = state.response
        state = state.with_step(await self._writer.add(record), output=outcome.output)
        return state.ended(Verdict.STOPPED) if outcome.stop else state

    def _record(
        self,
        name: str,
        type: str,
        state: ExecutionState,
        *,
        status: StepStatus,
        began: float,
        input: Any = None,
        output: Any = None,
        error_message: str | None = None,
        attempts: int = 1,
    ) -> StepRecord:
        return StepRecord(
            name=name,
            type=type,
            status=status,
            input=input,
            output=output,
            error_message=error_message,
            duration_ms=(self._services.clock() - began) * 1000,
            attempts=attempts,
            path=state.scope_path + name,
            fingerprint=self._prints[name][1],
        )


def _recorded_input(
    raw_input: Mapping[str, Any],
    outputs: immutables.Map[str, Any],
    connections: Mapping[str, Any],
    resolved: Any,
    evaluated: Mapping[str, Any],
) -> Any:
    """The step input as the run log keeps it: connection values replaced by REDACTED (and the
    values of expressions that read connections)."""
    if not connections or "connections" not in repr(raw_input):
        return resolved
    secret = expressions_using(evaluated, "connections")
    shown = {e: REDACTED if e in secret else v for e, v in evaluated.items()}
    return resolve(dict(raw_input), outputs.set("connections", redacted(dict(connections))), shown)
