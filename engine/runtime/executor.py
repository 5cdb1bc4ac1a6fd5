"""The flow executor: runs one flow run step by step and returns its result."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.model import (
    Flow,
    PieceTrigger,
    RunResult,
    RunStatus,
    StepRecord,
    StepStatus,
)
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import EngineError, UnsupportedStepError
from engine.runtime.handlers import (
    AnyStep,
    CodeHandler,
    ControlContext,
    ControlHandler,
    LoopHandler,
    PieceHandler,
    RouterHandler,
    StepContext,
    StepHandler,
)
from engine.runtime.state import ExecutionState, StepOutcome, Verdict
from engine.runtime.templating import redacted, resolve
from pieces.framework import PieceError, PieceRegistry, ServerInfo, TriggerContext, validate_props

log = logging.getLogger(__name__)

#: Attempts of a step with retryOnFailure, and the wait before each retry (seconds).
RETRY_DELAYS_S = (1.0, 2.0, 4.0)

_VERDICT_STATUS = {
    Verdict.SUCCEEDED: RunStatus.SUCCEEDED,
    Verdict.STOPPED: RunStatus.SUCCEEDED,
    Verdict.FAILED: RunStatus.FAILED,
    Verdict.RUNNING: RunStatus.SUCCEEDED,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowExecutor:
    """Executes flows with the given pieces and code runtime."""

    registry: PieceRegistry
    code_runtime: DenoCodeRuntime
    server: ServerInfo = field(default_factory=ServerInfo)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    async def execute(
        self,
        flow: Flow,
        *,
        run_id: str,
        trigger_payload: Any,
        timeout_s: float = 600.0,
        connections: Mapping[str, Any] | None = None,
    ) -> RunResult:
        """Runs the flow once for one trigger event.

        Args:
            flow: the flow version to run.
            run_id: the run's id, visible to steps.
            trigger_payload: the event, e.g. `{method, headers, queryParams, body}` for a webhook.
            timeout_s: the run's active-time limit; past it the run ends TIMEOUT.
            connections: connection values by external id, for `{{connections['id']}}`; they
                reach the steps but are recorded as REDACTED in step inputs.

        Returns:
            The run result: status, a record per executed step, the webhook response if one was set.
        """
        started = self.clock()
        state = ExecutionState()
        try:
            async with asyncio.timeout(timeout_s):
                state = await self._run_trigger(flow, trigger_payload, state)
                if state.verdict is Verdict.RUNNING:
                    ctx = StepContext(
                        run_id=run_id,
                        timeout_s=timeout_s,
                        server=self.server,
                        connections=dict(connections or {}),
                    )
                    state = await self._run_steps(
                        flow.steps, state, ctx, deadline=started + timeout_s
                    )
        except TimeoutError:
            return self._result(
                state,
                started,
                status=RunStatus.TIMEOUT,
                error=f"The run took longer than {timeout_s:g} s",
            )
        return self._result(
            state, started, status=_VERDICT_STATUS[state.verdict], error=state.error_message
        )

    def _result(
        self, state: ExecutionState, started: float, *, status: RunStatus, error: str | None
    ) -> RunResult:
        return RunResult(
            status=status,
            steps=list(state.records),
            response=state.response,
            error_message=error,
            failed_step=state.failed_step,
            duration_ms=(self.clock() - started) * 1000,
        )

    async def _run_trigger(self, flow: Flow, payload: Any, state: ExecutionState) -> ExecutionState:
        began = self.clock()
        trigger_name = (
            flow.trigger.settings.trigger_name if isinstance(flow.trigger, PieceTrigger) else None
        )
        if not isinstance(flow.trigger, PieceTrigger) or not trigger_name:
            return state.ended(
                Verdict.FAILED,
                failed_step="trigger",
                error="The flow has no trigger set up; choose one first",
            )
        settings = flow.trigger.settings
        try:
            trigger = self.registry.get(settings.piece_name, settings.piece_version).trigger(
                trigger_name
            )
            props = validate_props(trigger.props, resolve(settings.input, {}))
            items = await trigger.run(
                TriggerContext(props=props, payload=payload, server=self.server)
            )
        except (PieceError, EngineError) as err:
            record = StepRecord(
                name="trigger",
                type=flow.trigger.type,
                status=StepStatus.FAILED,
                error_message=err.message,
            )
            return state.with_step(record, output=None).ended(
                Verdict.FAILED, failed_step="trigger", error=err.message
            )
        output = items[0] if items else None
        record = StepRecord(
            name="trigger",
            type=flow.trigger.type,
            status=StepStatus.SUCCEEDED,
            input=payload,
            output=output,
            duration_ms=(self.clock() - began) * 1000,
        )
        return state.with_step(record, output=output)

    async def _run_steps(
        self,
        steps: Sequence[AnyStep],
        state: ExecutionState,
        ctx: StepContext,
        *,
        deadline: float,
    ) -> ExecutionState:
        """Runs steps in order until one ends the run; a finished list leaves the verdict RUNNING."""
        for step in steps:
            state = await self._run_step(step, state, ctx, deadline=deadline)
            if state.verdict is not Verdict.RUNNING:
                return state
        return state

    async def _run_step(
        self, step: AnyStep, state: ExecutionState, ctx: StepContext, *, deadline: float
    ) -> ExecutionState:
        if step.skip:
            record = StepRecord(name=step.name, type=step.type, status=StepStatus.SKIPPED)
            return state.with_step(record, output=None)
        control = self._control_handlers().get(step.type)
        if control is not None:
            return await self._run_control(step, control, state, ctx, deadline=deadline)
        handler = self._handlers().get(step.type)
        options = getattr(step.settings, "error_handling_options", None)
        retry = bool(options and options.retry_on_failure.value)
        go_on = bool(options and options.continue_on_failure.value)
        raw_input: Mapping[str, Any] = getattr(step.settings, "input", {})
        began = self.clock()
        resolved: Any = None
        recorded: Any = None
        attempts = 0
        error = ""
        for attempt, delay in enumerate((0.0, *(RETRY_DELAYS_S if retry else ())), start=1):
            attempts = attempt
            if delay:
                await self.sleep(delay)
            try:
                if handler is None:
                    raise UnsupportedStepError(f"{step.type} is not a step type this engine knows")
                scope = {**state.outputs, "connections": ctx.connections}
                resolved = resolve(dict(raw_input), scope)
                recorded = _recorded_input(raw_input, state.outputs, ctx.connections, resolved)
                step_ctx = StepContext(
                    run_id=ctx.run_id,
                    timeout_s=max(deadline - self.clock(), 0.001),
                    server=ctx.server,
                    connections=ctx.connections,
                )
                outcome = await handler(step, resolved, step_ctx)
            except (EngineError, PieceError) as err:
                error = err.message
                continue
            except Exception as err:  # a bug in a piece must fail its step, not the worker
                log.exception("step %s raised an unexpected error", step.name)
                error = f"Unexpected error in step {step.name!r}: {type(err).__name__}: {err}"
                continue
            return self._succeeded(
                step, state, outcome, resolved=recorded, began=began, attempts=attempts
            )
        return self._failed(
            step, state, error=error, resolved=recorded, began=began, attempts=attempts, go_on=go_on
        )

    async def _run_control(
        self,
        step: AnyStep,
        handler: ControlHandler,
        state: ExecutionState,
        ctx: StepContext,
        *,
        deadline: float,
    ) -> ExecutionState:
        async def run_steps(steps: Sequence[AnyStep], inner: ExecutionState) -> ExecutionState:
            return await self._run_steps(steps, inner, ctx, deadline=deadline)

        began = self.clock()
        try:
            return await handler(step, state, ControlContext(run_steps=run_steps, clock=self.clock))
        except (EngineError, PieceError) as err:
            return self._failed(
                step, state, error=err.message, resolved=None, began=began, attempts=1, go_on=False
            )

    def _failed(
        self,
        step: AnyStep,
        state: ExecutionState,
        *,
        error: str,
        resolved: Any,
        began: float,
        attempts: int,
        go_on: bool,
    ) -> ExecutionState:
        record = StepRecord(
            name=step.name,
            type=step.type,
            status=StepStatus.FAILED,
            input=resolved,
            output={"error": error} if go_on else None,
            error_message=error,
            duration_ms=(self.clock() - began) * 1000,
            attempts=attempts,
        )
        state = state.with_step(record, output=record.output)
        if go_on:
            return state
        return state.ended(
            Verdict.FAILED, failed_step=step.name, error=f"Step {step.name!r} failed: {error}"
        )

    def _succeeded(
        self,
        step: AnyStep,
        state: ExecutionState,
        outcome: StepOutcome,
        *,
        resolved: Any,
        began: float,
        attempts: int,
    ) -> ExecutionState:
        record = StepRecord(
            name=step.name,
            type=step.type,
            status=StepStatus.STOPPED if outcome.stop else StepStatus.SUCCEEDED,
            input=resolved,
            output=outcome.output,
            duration_ms=(self.clock() - began) * 1000,
            attempts=attempts,
        )
        state = state.with_step(record, output=outcome.output).with_response(outcome.response)
        return state.ended(Verdict.STOPPED) if outcome.stop else state

    def _handlers(self) -> dict[str, StepHandler]:
        return {"CODE": CodeHandler(self.code_runtime), "PIECE": PieceHandler(self.registry)}

    def _control_handlers(self) -> dict[str, ControlHandler]:
        return {"LOOP_ON_ITEMS": LoopHandler(), "ROUTER": RouterHandler()}


def _recorded_input(
    raw_input: Mapping[str, Any],
    outputs: Mapping[str, Any],
    connections: Mapping[str, Any],
    resolved: Any,
) -> Any:
    """The step input as the run log keeps it: connection values replaced by REDACTED."""
    if not connections or "connections" not in repr(raw_input):
        return resolved
    return resolve(dict(raw_input), {**outputs, "connections": redacted(dict(connections))})
