"""Which steps may change something outside their run: a crash must not run those twice.

The log writer batches fast steps into one checkpoint. Before a step with effects begins, the
records of earlier steps with effects are saved, so a worker killed during that step runs only
it again on recovery, never one that had finished. Steps without effects (the trigger, loops,
routers, actions marked `effects=False` such as Return Response or the text helpers) stay
batched: running one of them again does no harm.
"""

from engine.model import CodeStep, Flow, PieceStep, iter_steps
from pieces.framework import PieceRegistry
from pieces.framework.errors import PieceNotFoundError


def steps_with_effects(flow: Flow, registry: PieceRegistry) -> frozenset[str]:
    """Names of the flow's steps that may have effects: code steps (they may reach the network)
    and piece actions, unless the action says it has none. An action that cannot be found
    counts as having effects (its step fails anyway)."""
    names: set[str] = set()
    for step in iter_steps(flow.steps):
        if isinstance(step, CodeStep) or (
            isinstance(step, PieceStep) and _action_has_effects(step, registry)
        ):
            names.add(step.name)
    return frozenset(names)


def _action_has_effects(step: PieceStep, registry: PieceRegistry) -> bool:
    settings = step.settings
    if not settings.action_name:
        return True  # no action chosen: the step fails when it runs
    try:
        piece = registry.get(settings.piece_name, settings.piece_version)
        return piece.action(settings.action_name).effects
    except PieceNotFoundError:  # not installed, no such action: the step says so when it runs
        return True
