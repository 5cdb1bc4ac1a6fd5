"""The CODE step handler: runs the step's source in the Deno code runtime."""

from dataclasses import dataclass
from typing import Any

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep
from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.handlers.base import StepContext
from engine.runtime.state import StepOutcome


@dataclass(frozen=True, slots=True)
class CodeHandler:
    """Runs code steps."""

    runtime: DenoCodeRuntime

    async def __call__(
        self,
        step: CodeStep | PieceStep | LoopStep | RouterStep,
        resolved_input: dict[str, Any],
        ctx: StepContext,
    ) -> StepOutcome:
        assert isinstance(step, CodeStep)
        source = step.settings.source_code
        result = await self.runtime.run(
            source.code,
            resolved_input,
            timeout_s=ctx.timeout_s,
            package_json=source.package_json,
            before_process=ctx.before_effects,
        )
        return StepOutcome(output=result.output)
