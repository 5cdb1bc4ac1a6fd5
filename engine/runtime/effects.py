"""Which steps may change something outside their run: a crash must not run those twice.

The log writer batches fast steps into one checkpoint. Before a step with effects begins, the
records of earlier steps with effects are saved, so a worker killed during that step runs only
it again on recovery, never one that had finished. Steps without effects (the trigger, loops,
routers, actions marked `effects=False` such as Return Response or the text helpers) stay
batched: running one of them again does no harm. A code step says so as it runs: in a V8
context it can do no I/O; only when it is handed to a Deno process (imports, fetch, TypeScript,
PW_CODE_ISOLATION=PROCESS) does it count, through `StepContext.before_effects`.
"""

from engine.model import Flow, PieceStep, iter_steps
from pieces.framework import PieceRegistry
from pieces.framework.errors import PieceNotFoundError


def steps_with_effects(flow: Flow, registry: PieceRegistry) -> frozenset[str]:
    """Names of the flow's piece steps that may have effects: their action's `effects`. An
    action that cannot be found counts as having effects (its step fails anyway). Code steps
    are not among them: they say so as they run."""
    return frozenset(
        step.name
        for step in iter_steps(flow.steps)
        if isinstance(step, PieceStep) and _action_has_effects(step, registry)
    )


def _action_has_effects(step: PieceStep, registry: PieceRegistry) -> bool:
    settings = step.settings
    if not settings.action_name:
        return True  # no action chosen: the step fails when it runs
    try:
        piece = registry.get(settings.piece_name, settings.piece_version)
        return piece.action(settings.action_name).effects
    except PieceNotFoundError:  # not installed, no such action: the step says so when it runs
        return True
