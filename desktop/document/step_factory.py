"""New steps and triggers as the piece selector offers them: core steps, piece actions, piece triggers."""

from dataclasses import dataclass
from typing import Any, Literal

from desktop.document.placement import Placement
from engine.model import (
    Branch,
    BranchType,
    CodeSettings,
    CodeStep,
    Condition,
    ConditionOperator,
    Flow,
    LoopSettings,
    LoopStep,
    PieceSettings,
    PieceStep,
    PieceTrigger,
    PieceTriggerSettings,
    RouterStep,
    SourceCode,
    Step,
    iter_steps,
)
from engine.model.operations import AddActionOperation, AddActionRequest
from engine.model.pieces import PieceMetadata, PropSchema

DEFAULT_CODE = """export const code = async (inputs) => {
  return { hello: inputs.name ?? "world" };
};
"""

Kind = Literal["CODE", "LOOP_ON_ITEMS", "ROUTER", "PIECE", "TRIGGER"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StepChoice:
    """What the person picked in the piece selector."""

    kind: Kind
    display_name: str
    piece: PieceMetadata | None = None
    #: The action's (or trigger's) key for PIECE and TRIGGER.
    key: str | None = None


def free_name(flow: Flow) -> str:
    """The first `step_N` not used in the flow."""
    taken = {step.name for step in iter_steps(flow.steps)}
    number = 1
    while f"step_{number}" in taken:
        number += 1
    return f"step_{number}"


def defaults(props: dict[str, PropSchema]) -> dict[str, Any]:
    """Input values a new step starts with: each prop's default, when it has one."""
    return {
        key: prop.default_value
        for key, prop in props.items()
        if prop.default_value is not None and prop.type != "MARKDOWN"
    }


def new_step(choice: StepChoice, name: str) -> Step:
    """A step made from a choice (not a trigger)."""
    if choice.kind == "CODE":
        return CodeStep(
            name=name,
            display_name="Code",
            settings=CodeSettings(source_code=SourceCode(code=DEFAULT_CODE), input={}),
        )
    if choice.kind == "LOOP_ON_ITEMS":
        return LoopStep(name=name, display_name="Loop on items", settings=LoopSettings(items=""))
    if choice.kind == "ROUTER":
        return RouterStep(
            name=name,
            display_name="Router",
            branches=[
                Branch(
                    branch_name="Branch 1",
                    conditions=[[Condition(operator=ConditionOperator.TEXT_EXACTLY_MATCHES)]],
                ),
                Branch(branch_name="Otherwise", branch_type=BranchType.FALLBACK),
            ],
        )
    if choice.kind != "PIECE" or choice.piece is None or choice.key is None:
        raise ValueError(f"cannot make a step from {choice.kind}")
    action = choice.piece.actions[choice.key]
    return PieceStep(
        name=name,
        display_name=action.display_name,
        settings=PieceSettings(
            piece_name=choice.piece.name,
            piece_version=choice.piece.version,
            action_name=action.name,
            input=defaults(action.props),
        ),
    )


def new_trigger(choice: StepChoice) -> PieceTrigger:
    """A piece trigger made from a choice."""
    if choice.piece is None or choice.key is None:
        raise ValueError("a trigger needs a piece and a trigger key")
    trigger = choice.piece.triggers[choice.key]
    return PieceTrigger(
        display_name=trigger.display_name,
        settings=PieceTriggerSettings(
            piece_name=choice.piece.name,
            piece_version=choice.piece.version,
            trigger_name=trigger.name,
            input=defaults(trigger.props),
        ),
    )


def add_operation(step: Step, placement: Placement) -> AddActionOperation:
    """ADD_ACTION of a step at a placement."""
    return AddActionOperation(
        request=AddActionRequest(
            parent_step=placement.parent,
            step_location_relative_to_parent=placement.location,
            branch_index=placement.branch_index,
            action=step,
        )
    )
