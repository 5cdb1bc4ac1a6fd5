"""What a step's card says: its badge kind, title and subtitle."""

from collections.abc import Mapping

from engine.model import (
    CodeStep,
    EmptyTrigger,
    LoopStep,
    PieceStep,
    PieceTrigger,
    RouterStep,
    Step,
    Trigger,
)

KIND_NAMES = {
    "CODE": "Code",
    "LOOP_ON_ITEMS": "Loop on items",
    "ROUTER": "Router",
}


def card_text(
    step: Step | Trigger, *, piece_names: Mapping[str, str] | None = None
) -> tuple[str, str, str]:
    """(kind, title, subtitle) of a step's card; `piece_names` maps piece keys to display names."""
    names = piece_names or {}
    if isinstance(step, EmptyTrigger):
        return "EMPTY", "Select trigger", "Choose what starts the flow"
    if isinstance(step, PieceTrigger):
        piece = names.get(step.settings.piece_name, step.settings.piece_name)
        title = step.display_name or f"{piece}: {step.settings.trigger_name or 'trigger'}"
        return "TRIGGER", title, f"trigger · {piece}"
    if isinstance(step, PieceStep):
        piece = names.get(step.settings.piece_name, step.settings.piece_name)
        title = step.display_name or f"{piece}: {step.settings.action_name or 'choose an action'}"
        return "PIECE", title, f"{step.name} · {piece}"
    assert isinstance(step, CodeStep | LoopStep | RouterStep)
    kind_name = KIND_NAMES[step.type]
    return step.type, step.display_name or kind_name, f"{step.name} · {kind_name}"
