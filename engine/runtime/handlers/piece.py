"""The PIECE step handler: validates the input against the action's props and runs the action."""

from dataclasses import dataclass
from typing import Any

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep
from engine.runtime.errors import EngineError
from engine.runtime.handlers.base import StepContext
from engine.runtime.state import StepOutcome
from pieces.framework import ActionContext, PieceRegistry, RunControls, validate_props


@dataclass(frozen=True, slots=True)
class PieceHandler:
    """Runs piece actions from the registry."""

    registry: PieceRegistry

    async def __call__(
        self,
        step: CodeStep | PieceStep | LoopStep | RouterStep,
        resolved_input: dict[str, Any],
        ctx: StepContext,
    ) -> StepOutcome:
        assert isinstance(step, PieceStep)
        settings = step.settings
        if not settings.action_name:
            raise EngineError(
                f"step {step.name!r} has no action chosen; pick one in the step settings"
            )
        action = self.registry.get(settings.piece_name, settings.piece_version).action(
            settings.action_name
        )
        props = validate_props(action.props, resolved_input)
        controls = RunControls(ctx.run_id)
        output = await action.run(
            ActionContext(step_name=step.name, props=props, run=controls, server=ctx.server)
        )
        return StepOutcome(output=output, response=controls.response, stop=controls.stopped)
