"""The PIECE step handler: validates the input against the action's props and runs the action."""

from dataclasses import dataclass, field
from typing import Any

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep
from engine.runtime.errors import EngineError
from engine.runtime.handlers.base import StepContext
from engine.runtime.state import StepOutcome
from pieces.framework import (
    ActionContext,
    Files,
    InMemoryFiles,
    InMemoryStore,
    NetworkPolicy,
    PieceRegistry,
    RunControls,
    Store,
    create_http_client,
    validate_props,
)


@dataclass(frozen=True, slots=True)
class PieceHandler:
    """Runs piece actions from the registry.

    The store and files default to in-memory ones living as long as the handler; the server's
    database-backed ones are passed in when they exist.
    """

    registry: PieceRegistry
    store: Store = field(default_factory=InMemoryStore)
    files: Files = field(default_factory=InMemoryFiles)
    network: NetworkPolicy = field(default_factory=NetworkPolicy.from_env)

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
        async with create_http_client(self.network) as http:
            output = await action.run(
                ActionContext(
                    step_name=step.name,
                    props=props,
                    run=controls,
                    store=self.store,
                    files=self.files,
                    http=http,
                    server=ctx.server,
                )
            )
        return StepOutcome(output=output, response=controls.response, stop=controls.stopped)
