"""A piece for engine tests that counts its executions, fails on demand and pauses."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from engine.model import PieceSettings, PieceStep, RunLog, StepStatus
from engine.runtime.executor import FlowExecutor
from engine.runtime.log_limits import LogLimits
from engine.runtime.run_store import InMemoryRunStore
from pieces.framework import (
    Action,
    ActionContext,
    ExecutionType,
    Piece,
    PieceError,
    PieceRegistry,
    Prop,
)


@dataclass
class Probe:
    """Side effects of the probe piece: executions per step path, paths that fail next time."""

    calls: Counter[str] = field(default_factory=Counter)
    fail_next: set[str] = field(default_factory=set)

    def piece(self) -> Piece:
        async def count(ctx: ActionContext) -> Any:
            self.calls[ctx.run.step_path] += 1
            if ctx.run.step_path in self.fail_next:
                self.fail_next.discard(ctx.run.step_path)
                raise PieceError(f"{ctx.run.step_path} failed on purpose")
            return {"value": ctx.props.get("value"), "path": ctx.run.step_path}

        async def wait(ctx: ActionContext) -> Any:
            if ctx.execution_type is ExecutionType.RESUME:
                self.calls[ctx.run.step_path + ":resumed"] += 1
                return ctx.resume_payload
            self.calls[ctx.run.step_path] += 1
            waitpoint = await ctx.run.create_waitpoint()
            ctx.run.wait_for_waitpoint(waitpoint.id)
            return None

        async def slow(ctx: ActionContext) -> Any:
            self.calls[ctx.run.step_path] += 1
            await asyncio.sleep(float(ctx.props.get("seconds") or 0))
            return {"slept": ctx.props.get("seconds")}

        value = {"value": Prop(display_name="Value"), "seconds": Prop(display_name="Seconds")}
        return Piece(
            name="probe",
            display_name="Probe",
            version="1.0.0",
            actions=(
                Action(name="count", display_name="Count", props=value, run=count),
                # The same, declared without effects outside the run (batched in checkpoints).
                Action(
                    name="compute", display_name="Compute", props=value, run=count, effects=False
                ),
                Action(name="wait", display_name="Wait", props=value, run=wait),
                Action(name="slow", display_name="Slow", props=value, run=slow),
            ),
        )

    def executor(
        self, base: FlowExecutor, *, store: Any = None, interval_s: float = 0.0, **limits: Any
    ) -> FlowExecutor:
        """The base executor with the probe piece, a fresh store, and checkpoints per step."""
        registry = PieceRegistry([*PieceRegistry.discover().all(), self.piece()])
        return replace(
            base,
            registry=registry,
            run_store=store if store is not None else InMemoryRunStore(),
            limits=LogLimits(checkpoint_interval_s=interval_s, **limits),
        )


def probe(name: str, action: str = "count", **inputs: Any) -> PieceStep:
    return PieceStep(
        name=name,
        settings=PieceSettings(
            piece_name="probe", piece_version="1.0.0", action_name=action, input=inputs
        ),
    )


class Crash(BaseException):
    """The process died (no step's error handling catches it)."""


class CrashingStore(InMemoryRunStore):
    """A run store whose process dies at its n-th save: after the save lands, or before."""

    def __init__(self, *, crash_at: int | None = None, before: bool = False) -> None:
        super().__init__()
        self.crash_at = crash_at
        self.before = before
        self.count = 0

    async def save(self, run_id: str, checkpoint: Any) -> None:
        self.count += 1
        if self.count == self.crash_at and self.before:
            raise Crash(f"crashed before save {self.count}")
        await super().save(run_id, checkpoint)
        if self.count == self.crash_at:
            raise Crash(f"crashed after save {self.count}")


def final(log: RunLog) -> dict[str, StepStatus]:
    """The last status recorded per path."""
    return {entry.path: entry.status for entry in log.entries}
