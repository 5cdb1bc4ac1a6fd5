"""Every edit type has an inverse made of ordinary operations that gives back the flow before it."""

import pytest

from desktop.document.inverse import inverse
from engine.model import Flow, PieceTrigger, PieceTriggerSettings
from engine.model.operation_requests import NotePosition
from engine.model.operations import (
    AddActionOperation,
    AddBranchOperation,
    AddBranchRequest,
    AddNoteOperation,
    AddNoteRequest,
    ChangeNameOperation,
    ChangeNameRequest,
    DeleteActionOperation,
    DeleteActionRequest,
    DeleteBranchOperation,
    DeleteBranchRequest,
    DeleteNoteOperation,
    DeleteNoteRequest,
    DocumentOperation,
    DuplicateActionOperation,
    DuplicateActionRequest,
    ImportFlowOperation,
    MoveActionOperation,
    MoveActionRequest,
    UpdateActionOperation,
    UpdateBranchOperation,
    UpdateBranchRequest,
    UpdateNoteOperation,
    UpdateNoteRequest,
    UpdateTriggerOperation,
    apply,
)
from tests.engine.builders import branch, code, fallback, flow, loop, router, when


def sample() -> Flow:
    base = flow(
        code("step_1", "export const code = async () => 1"),
        router(
            "step_2",
            branch(
                "Big",
                code("step_3", "x"),
                code("step_4", "y"),
                conditions=[[when("{{step_1}}", "NUMBER_IS_GREATER_THAN", "10")]],
            ),
            fallback(code("step_5", "z")),
        ),
        loop("step_6", "{{trigger.body.rows}}", code("step_7", "w")),
        code("step_8", "v"),
    )
    return apply(
        base,
        AddNoteOperation(request=AddNoteRequest(id="n1", content="hi", position=NotePosition())),
    )


def _add(
    parent: str, location: str = "AFTER", branch_index: int | None = None
) -> AddActionOperation:
    return AddActionOperation.model_validate(
        {
            "request": {
                "parentStep": parent,
                "stepLocationRelativeToParent": location,
                "branchIndex": branch_index,
                "action": code("step_9", "new").model_dump(mode="json"),
            }
        }
    )


OPERATIONS: dict[str, DocumentOperation] = {
    "add after": _add("step_1"),
    "add first": _add("trigger"),
    "add in loop": _add("step_6", "INSIDE_LOOP"),
    "add in branch": _add("step_2", "INSIDE_BRANCH", 1),
    "delete one": DeleteActionOperation(request=DeleteActionRequest(names=["step_4"])),
    "delete first in branch": DeleteActionOperation(request=DeleteActionRequest(names=["step_3"])),
    "delete router": DeleteActionOperation(request=DeleteActionRequest(names=["step_2"])),
    "delete several": DeleteActionOperation(
        request=DeleteActionRequest(names=["step_8", "step_1", "step_7", "step_6"])
    ),
    "update": UpdateActionOperation(request=code("step_1", "changed", n="{{trigger.body}}")),
    "update loop": UpdateActionOperation(request=loop("step_6", "{{trigger.body.other}}")),
    "move into loop": MoveActionOperation(
        request=MoveActionRequest(
            name="step_1",
            new_parent_step="step_6",
            step_location_relative_to_new_parent="INSIDE_LOOP",
        )
    ),
    "move out of branch": MoveActionOperation(
        request=MoveActionRequest(name="step_3", new_parent_step="step_8")
    ),
    "duplicate": DuplicateActionOperation(request=DuplicateActionRequest(step_name="step_2")),
    "trigger": UpdateTriggerOperation(
        request=PieceTrigger(
            settings=PieceTriggerSettings(piece_name="schedule", piece_version="0.1.0")
        )
    ),
    "rename": ChangeNameOperation(request=ChangeNameRequest(display_name="Other")),
    "add branch": AddBranchOperation(
        request=AddBranchRequest(step_name="step_2", branch_index=1, branch_name="Small")
    ),
    "update branch": UpdateBranchOperation(
        request=UpdateBranchRequest(
            step_name="step_2",
            branch_index=0,
            branch_name="Huge",
            conditions=[[when("{{step_1}}", "EXISTS")]],
        )
    ),
    "rename fallback": UpdateBranchOperation(
        request=UpdateBranchRequest(step_name="step_2", branch_index=1, branch_name="Else")
    ),
    "delete branch": DeleteBranchOperation(
        request=DeleteBranchRequest(step_name="step_2", branch_index=0)
    ),
    "import": ImportFlowOperation(request=flow(code("step_1", "only")).model_dump(mode="json")),
    "add note": AddNoteOperation(request=AddNoteRequest(id="n2", content="x")),
    "update note": UpdateNoteOperation(
        request=UpdateNoteRequest(id="n1", content="changed", position=NotePosition(x=5, y=6))
    ),
    "delete note": DeleteNoteOperation(request=DeleteNoteRequest(id="n1")),
}


@pytest.mark.parametrize("case", list(OPERATIONS))
def test_inverse_gives_back_the_flow_before(case: str) -> None:
    before = sample()
    operation = OPERATIONS[case]
    after = apply(before, operation)
    assert after != before
    undo = inverse(before, operation, after)
    result = after
    for step in undo:
        result = apply(result, step)
    assert result == before
    if case != "import":
        assert all(step.type != "IMPORT_FLOW" for step in undo), "an operation, not a snapshot"


def test_edit_without_an_exact_inverse_falls_back_to_a_snapshot() -> None:
    before = sample()
    before = apply(before, AddNoteOperation(request=AddNoteRequest(id="n2")))
    operation = DeleteNoteOperation(request=DeleteNoteRequest(id="n1"))
    after = apply(before, operation)
    undo = inverse(before, operation, after)
    assert [step.type for step in undo] == ["IMPORT_FLOW"]
    assert apply(after, undo[0]) == before
