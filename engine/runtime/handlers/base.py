"""The step handler protocol and what a handler gets besides its step and resolved input."""

from dataclasses import dataclass
from typing import Any, Protocol

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep
from engine.runtime.state import StepOutcome
from pieces.framework import ServerInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class StepContext:
    """Run-wide facts a handler may use."""

    run_id: str
    timeout_s: float
    server: ServerInfo


class StepHandler(Protocol):
    """Executes one step once, given its resolved input."""

    async def __call__(
        self,
        step: CodeStep | PieceStep | LoopStep | RouterStep,
        resolved_input: dict[str, Any],
        ctx: StepContext,
    ) -> StepOutcome: ...
