"""The flow executor: executes runs of flows through their durable run logs."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.model import (
    TERMINAL,
    ExecutionMode,
    Flow,
    RunLog,
    RunResult,
    RunStatus,
)
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.effects import steps_with_effects
from engine.runtime.errors import EngineError
from engine.runtime.execution import Execution, Services
from engine.runtime.handlers import (
    CodeHandler,
    ControlHandler,
    LoopHandler,
    PieceHandler,
    RouterHandler,
    StepHandler,
)
from engine.runtime.log_limits import LogLimits
from engine.runtime.log_writer import RunLogWriter
from engine.runtime.output_store import InMemoryOutputStore, OutputStore
from engine.runtime.replay import Replay, fingerprints
from engine.runtime.run_store import InMemoryRunStore, RunStore
from engine.runtime.templating import Evaluate
from pieces.framework import (
    LocalWaitpoints,
    PieceRegistry,
    ServerInfo,
    SubflowClient,
    WaitpointClient,
)

#: How long one `{{ }}` JavaScript expression may run.
EXPRESSION_TIMEOUT_S = 2.0


class RunLogStateError(EngineError):
    """The run's log does not allow this kind of execution (e.g. BEGIN on a run that already ran)."""

    code = "RUN_LOG_STATE"


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowExecutor:
    """Executes flows with the given pieces, code runtime and storage.

    Every execution goes through the run store: it loads the run's log, replays what is
    recorded and checkpoints what it does. Without a store given, logs are kept in memory.
    """

    registry: PieceRegistry
    code_runtime: DenoCodeRuntime
    server: ServerInfo = field(default_factory=ServerInfo)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    run_store: RunStore = field(default_factory=InMemoryRunStore)
    outputs: OutputStore = field(default_factory=InMemoryOutputStore)
    waitpoints: WaitpointClient = field(default_factory=LocalWaitpoints)
    limits: LogLimits = field(default_factory=LogLimits.from_env)
    handlers: Mapping[str, StepHandler] | None = None

    async def execute(
        self,
        flow: Flow,
        *,
        run_id: str,
        trigger_payload: Any = None,
        timeout_s: float = 600.0,
        connections: Mapping[str, Any] | None = None,
        mode: ExecutionMode = ExecutionMode.BEGIN,
        resume_payload: Any = None,
        subflows: SubflowClient | None = None,
        payload_is_trigger_output: bool = False,
    ) -> RunResult:
        """Executes a run of the flow and returns its result (also saved in the run store).

        Args:
            flow: the flow version the run belongs to.
            run_id: the run's id, visible to steps and the key of its log.
            trigger_payload: the event, e.g. `{method, headers, queryParams, body}` for a webhook
                (on RESUME and RECOVER the recorded one is used).
            timeout_s: the run's active-time limit, earlier executions included; past it the run
                ends TIMEOUT.
            connections: connection values by external id, for `{{connections['id']}}`; they
                reach the steps but are recorded as REDACTED in step inputs.
            mode: BEGIN (the log must be empty), RESUME (the run must be PAUSED) or RECOVER
                (the run must be RUNNING: its last execution stopped midway).
            resume_payload: on RESUME, what resumed the run (`{body, headers, queryParams}`).
            subflows: starts other flows of the run's project (none without a server).
            payload_is_trigger_output: the payload is already one item of the trigger's `run`
                (the server polled, or ran the trigger on the webhook request); it becomes the
                trigger's output without calling `run` again.

        Raises:
            RunLogStateError: the log's state does not allow this mode.
            ReplayError: the log does not match the flow.
        """
        log = await self.run_store.load(run_id)
        _check_mode(mode, log, run_id)
        prints = fingerprints(flow)
        replay = Replay(log.entries, prints)
        writer = RunLogWriter(
            run_id=run_id,
            store=self.run_store,
            outputs=self.outputs,
            limits=self.limits,
            clock=self.clock,
            size_bytes=log.size_bytes,
            active_ms=log.active_ms,
            with_effects=steps_with_effects(flow, self.registry),
            execution=log.execution,
        )
        writer.response = log.response
        writer.pause = log.pause
        writer.resume_payload = (
            resume_payload if mode is ExecutionMode.RESUME else log.resume_payload
        )
        if mode is not ExecutionMode.BEGIN:
            # The resumed or recovered log says RUNNING again at once. A new run has nothing to
            # say yet: a crash before its first checkpoint leaves an empty log, begun again.
            await writer.save(RunStatus.RUNNING)
        execution = Execution(
            services=self._services(),
            flow=flow,
            run_id=run_id,
            log=log,
            prints=prints,
            replay=replay,
            writer=writer,
            connections=connections or {},
            resume_payload=writer.resume_payload,
            mode=mode,
            subflows=subflows,
            payload_is_trigger_output=payload_is_trigger_output,
        )
        return await execution.run(
            trigger_payload,
            remaining_s=max(timeout_s - log.active_ms / 1000, 0.001),
            limit_s=timeout_s,
        )

    def _services(self) -> Services:
        return Services(
            registry=self.registry,
            handlers=self.handlers
            if self.handlers is not None
            else {"CODE": CodeHandler(self.code_runtime), "PIECE": PieceHandler(self.registry)},
            control_handlers=_CONTROL_HANDLERS,
            outputs=self.outputs,
            waitpoints=self.waitpoints,
            server=self.server,
            sleep=self.sleep,
            clock=self.clock,
            evaluate=self._evaluator(),
        )

    def _evaluator(self) -> Evaluate:
        async def run(expression: str, scope: Mapping[str, Any]) -> Any:
            return await self.code_runtime.evaluate(
                expression, scope, timeout_s=EXPRESSION_TIMEOUT_S
            )

        return run


_CONTROL_HANDLERS: Mapping[str, ControlHandler] = {
    "LOOP_ON_ITEMS": LoopHandler(),
    "ROUTER": RouterHandler(),
}


def _check_mode(mode: ExecutionMode, log: RunLog, run_id: str) -> None:
    status = log.status
    if mode is ExecutionMode.BEGIN:
        if log.entries or status not in (None, RunStatus.QUEUED):
            raise RunLogStateError(
                f"Run {run_id} has already started ({status or 'RUNNING'}, "
                f"{len(log.entries)} steps recorded); a first execution needs an empty log — "
                "recover, resume or retry the run instead"
            )
    elif mode is ExecutionMode.RESUME:
        if status is not RunStatus.PAUSED or log.pause is None:
            raise RunLogStateError(
                f"Run {run_id} is {status or 'not started'}, not paused; only a paused run "
                "can be resumed"
            )
    elif status is RunStatus.PAUSED:
        raise RunLogStateError(
            f"Run {run_id} is paused at {log.pause.path if log.pause else 'a step'}; "
            "it continues when its waitpoint is resumed, never from the trigger"
        )
    elif status in TERMINAL:
        raise RunLogStateError(f"Run {run_id} already ended {status}; retry it instead")
    elif status is None:
        raise RunLogStateError(f"Run {run_id} never started; begin it instead")
