"""The PIECE step handler: validates the input against the action's props and runs the action."""

from dataclasses import dataclass, field
from typing import Any

import httpx

from engine.model import CodeStep, LoopStep, PieceStep, RouterStep
from engine.runtime.errors import EngineError
from engine.runtime.handlers.base import StepContext
from engine.runtime.run_resources import DEFAULT_RUN_RESOURCES
from engine.runtime.state import StepOutcome
from pieces.framework import (
    Action,
    ActionContext,
    Files,
    NetworkPolicy,
    PieceRegistry,
    RunControls,
    Store,
    create_http_client,
    validate_input,
)
from pieces.framework.connection import AUTH_INPUT, resolve_auth


@dataclass(frozen=True, slots=True)
class PieceHandler:
    """Runs piece actions from the registry.

    Without a store and files passed in, each run gets in-memory ones shared by its steps
    (`run_resources`); the server passes its database-backed ones when they exist.
    """

    registry: PieceRegistry
    store: Store | None = None
    files: Files | None = None
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
        piece = self.registry.get(settings.piece_name, settings.piece_version)
        action = piece.action(settings.action_name)
        values = dict(resolved_input)
        auth = await resolve_auth(
            piece, require_auth=action.require_auth, value=values.pop(AUTH_INPUT, None)
        )
        props = await validate_input(action.props, values, auth=auth)
        controls = RunControls(ctx.run_id, step_path=ctx.step_path, waitpoints=ctx.waitpoints)
        if ctx.http is None:
            async with create_http_client(self.network) as http:
                output = await self._run(action, step, props, auth, controls, ctx, http)
        else:
            output = await self._run(
                action, step, props, auth, controls, ctx, ctx.http.client(self.network)
            )
        await controls.settle()
        return StepOutcome(
            output=output,
            response=controls.response,
            stop=controls.stopped,
            pause=controls.paused_on,
        )

    async def _run(
        self,
        action: Action,
        step: PieceStep,
        props: Any,
        auth: Any,
        controls: RunControls,
        ctx: StepContext,
        http: httpx.AsyncClient,
    ) -> Any:
        run_store, run_files = DEFAULT_RUN_RESOURCES.for_run(ctx.run_id)
        return await action.run(
            ActionContext(
                step_name=step.name,
                props=props,
                run=controls,
                auth=auth,
                store=self.store if self.store is not None else run_store,
                files=self.files if self.files is not None else run_files,
                http=http,
                server=ctx.server,
                execution_type=ctx.execution_type,
                resume_payload=ctx.resume_payload,
                subflows=ctx.subflows,
            )
        )
