"""Flow operations: the pure apply() shared by server and desktop."""

from typing import Any

import pytest
from pydantic import TypeAdapter

from engine.model import Flow, FlowLoadError, LoopStep, RouterStep
from engine.model.operation_errors import (
    BranchNotFoundError,
    DuplicateNoteError,
    DuplicateStepNameError,
    FallbackBranchError,
    FlowOperationError,
    InvalidStepChangeError,
    InvalidStepLocationError,
    MoveIntoItselfError,
    NoteNotFoundError,
    StepNotFoundError,
    WrongStepTypeError,
)
from engine.model.operations import (
    ChangeNameOperation,
    ChangeNameRequest,
    FlowOperation,
    ImportFlowOperation,
    apply,
)
from tests.engine.builders import (
    branch,
    code,
    fallback,
    flow,
    loop,
    router,
    webhook_trigger,
    when,
)

ECHO = "export const code = async (i) => i"
OPERATION: TypeAdapter[Any] = TypeAdapter(FlowOperation)


def sample() -> Flow:
    """trigger → step_1 → each (loop: inner) → pick (router: Big [big] | Otherwise [small])."""
    return flow(
        code("step_1", ECHO),
        loop("each", "{{trigger.body.rows}}", code("inner", ECHO, n="{{each.item}}")),
        router(
            "pick",
            branch("Big", code("big", ECHO), conditions=[[when("{{step_1.n}}", "EXISTS")]]),
            fallback(code("small", ECHO)),
        ),
    )


def run(flow_: Flow, type_: str, request: Any) -> Flow:
    before = flow_.model_dump(mode="json")
    result = apply(flow_, OPERATION.validate_python({"type": type_, "request": request}))
    assert flow_.model_dump(mode="json") == before, "the input flow must not change"
    return result


def fails(flow_: Flow, type_: str, request: Any) -> FlowOperationError:
    before = flow_.model_dump(mode="json")
    with pytest.raises(FlowOperationError) as caught:
        apply(flow_, OPERATION.validate_python({"type": type_, "request": request}))
    assert flow_.model_dump(mode="json") == before
    return caught.value


def new_step(name: str) -> dict[str, Any]:
    return code(name, ECHO).model_dump(mode="json")


def tree(flow_: Flow) -> list[Any]:
    def shape(step: Any) -> Any:
        if isinstance(step, LoopStep):
            return {step.name: [shape(s) for s in step.steps]}
        if isinstance(step, RouterStep):
            return {step.name: [[shape(s) for s in b.steps] for b in step.branches]}
        return step.name

    return [shape(s) for s in flow_.steps]


def test_import_replaces_the_document_and_leaves_the_input_unchanged() -> None:
    original = flow(name="Old")
    imported = flow(code("step_1", ECHO), name="New").model_dump(mode="json")
    result = apply(original, ImportFlowOperation(request=imported))
    assert result.display_name == "New"
    assert [s.name for s in result.steps] == ["step_1"]
    assert original.steps == []


def test_import_of_an_invalid_document_raises_with_problems() -> None:
    with pytest.raises(FlowLoadError, match="steps"):
        apply(flow(), ImportFlowOperation(request={"steps": "not a list"}))


def test_change_name() -> None:
    renamed = apply(
        flow(name="A"), ChangeNameOperation(request=ChangeNameRequest(display_name="B"))
    )
    assert renamed.display_name == "B"


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            {"parentStep": "trigger"},
            ["new", "step_1", {"each": ["inner"]}, {"pick": [["big"], ["small"]]}],
        ),
        (
            {"parentStep": "inner", "stepLocationRelativeToParent": "AFTER"},
            ["step_1", {"each": ["inner", "new"]}, {"pick": [["big"], ["small"]]}],
        ),
        (
            {"parentStep": "each", "stepLocationRelativeToParent": "INSIDE_LOOP"},
            ["step_1", {"each": ["new", "inner"]}, {"pick": [["big"], ["small"]]}],
        ),
        (
            {
                "parentStep": "pick",
                "stepLocationRelativeToParent": "INSIDE_BRANCH",
                "branchIndex": 1,
            },
            ["step_1", {"each": ["inner"]}, {"pick": [["big"], ["new", "small"]]}],
        ),
    ],
)
def test_add_action_at_every_location(request_: dict[str, Any], expected: list[Any]) -> None:
    result = run(sample(), "ADD_ACTION", {**request_, "action": new_step("new")})
    assert tree(result) == expected


def test_add_action_refuses_a_duplicate_name_naming_it() -> None:
    err = fails(sample(), "ADD_ACTION", {"parentStep": "trigger", "action": new_step("inner")})
    assert isinstance(err, DuplicateStepNameError)
    assert (err.code, err.step, err.field) == ("DUPLICATE_STEP_NAME", "inner", "action.name")
    assert "a step named 'inner' already exists" in err.message


def test_add_action_refuses_a_wrong_location() -> None:
    action = new_step("new")
    err = fails(
        sample(),
        "ADD_ACTION",
        {"parentStep": "step_1", "stepLocationRelativeToParent": "INSIDE_LOOP", "action": action},
    )
    assert isinstance(err, InvalidStepLocationError)
    assert err.field == "parentStep"
    assert "step 'step_1' is a CODE step, so nothing can go INSIDE_LOOP" in err.message
    missing = fails(sample(), "ADD_ACTION", {"parentStep": "ghost", "action": action})
    assert isinstance(missing, StepNotFoundError)
    assert missing.step == "ghost"
    no_branch = fails(
        sample(),
        "ADD_ACTION",
        {"parentStep": "pick", "stepLocationRelativeToParent": "INSIDE_BRANCH", "action": action},
    )
    assert isinstance(no_branch, BranchNotFoundError)
    assert no_branch.field == "branchIndex"


def test_update_action_replaces_settings_and_keeps_children() -> None:
    updated_loop = loop("each", "{{trigger.body.other}}").model_dump(mode="json")
    result = run(sample(), "UPDATE_ACTION", updated_loop)
    each = result.step("each")
    assert isinstance(each, LoopStep)
    assert each.settings.items == "{{trigger.body.other}}"
    assert [s.name for s in each.steps] == ["inner"]
    renamed = code("step_1", "export const code = async () => 2").model_dump(mode="json")
    renamed["displayName"] = "Two"
    assert run(sample(), "UPDATE_ACTION", renamed).steps[0].display_name == "Two"


def test_update_action_changes_router_conditions_but_keeps_branch_steps() -> None:
    new_router = router(
        "pick",
        branch("Huge", conditions=[[when("1", "NUMBER_IS_GREATER_THAN", "0")]]),
        fallback(),
    ).model_dump(mode="json")
    result = run(sample(), "UPDATE_ACTION", new_router)
    assert tree(result)[2] == {"pick": [["big"], ["small"]]}
    pick = result.step("pick")
    assert isinstance(pick, RouterStep)
    assert pick.branches[0].branch_name == "Huge"


def test_update_action_refuses_to_drop_children_or_unknown_steps() -> None:
    err = fails(sample(), "UPDATE_ACTION", code("each", ECHO).model_dump(mode="json"))
    assert isinstance(err, InvalidStepChangeError)
    assert (err.step, err.field) == ("each", "type")
    assert isinstance(fails(sample(), "UPDATE_ACTION", new_step("ghost")), StepNotFoundError)


def test_delete_action_removes_steps_with_their_children() -> None:
    result = run(sample(), "DELETE_ACTION", {"names": ["each", "small"]})
    assert tree(result) == ["step_1", {"pick": [["big"], []]}]
    assert tree(run(sample(), "DELETE_ACTION", {"name": "step_1"}))[0] == {"each": ["inner"]}
    err = fails(sample(), "DELETE_ACTION", {"names": ["step_1", "ghost"]})
    assert isinstance(err, StepNotFoundError)
    assert (err.step, err.field) == ("ghost", "names")
    assert fails(sample(), "DELETE_ACTION", {}).field == "names"
    with_child = run(sample(), "DELETE_ACTION", {"names": ["each", "inner"]})
    assert tree(with_child) == ["step_1", {"pick": [["big"], ["small"]]}]


def test_move_action_to_another_place() -> None:
    into_loop = run(
        sample(),
        "MOVE_ACTION",
        {
            "name": "step_1",
            "newParentStep": "each",
            "stepLocationRelativeToNewParent": "INSIDE_LOOP",
        },
    )
    assert tree(into_loop) == [{"each": ["step_1", "inner"]}, {"pick": [["big"], ["small"]]}]
    after = run(sample(), "MOVE_ACTION", {"name": "pick", "newParentStep": "trigger"})
    assert tree(after) == [{"pick": [["big"], ["small"]]}, "step_1", {"each": ["inner"]}]
    branch_move = run(
        sample(),
        "MOVE_ACTION",
        {
            "name": "each",
            "newParentStep": "pick",
            "stepLocationRelativeToNewParent": "INSIDE_BRANCH",
            "branchIndex": 0,
        },
    )
    assert tree(branch_move) == ["step_1", {"pick": [[{"each": ["inner"]}, "big"], ["small"]]}]


def test_move_action_refuses_to_move_a_step_into_itself() -> None:
    err = fails(
        sample(),
        "MOVE_ACTION",
        {"name": "each", "newParentStep": "each", "stepLocationRelativeToNewParent": "INSIDE_LOOP"},
    )
    assert isinstance(err, MoveIntoItselfError)
    assert (err.code, err.step, err.field) == ("MOVE_INTO_ITSELF", "each", "newParentStep")
    nested = fails(sample(), "MOVE_ACTION", {"name": "each", "newParentStep": "inner"})
    assert isinstance(nested, MoveIntoItselfError)


def test_duplicate_action_copies_children_with_new_names_and_references() -> None:
    result = run(sample(), "DUPLICATE_ACTION", {"stepName": "each"})
    assert tree(result) == [
        "step_1",
        {"each": ["inner"]},
        {"step_2": ["step_3"]},
        {"pick": [["big"], ["small"]]},
    ]
    copy = result.step("step_3")
    assert copy is not None
    assert copy.settings.input == {"n": "{{step_2.item}}"}  # type: ignore[union-attr]
    assert isinstance(fails(sample(), "DUPLICATE_ACTION", {"stepName": "x"}), StepNotFoundError)


def test_update_trigger_replaces_it() -> None:
    trigger = webhook_trigger().model_copy(update={"display_name": "Catch"})
    result = run(flow(), "UPDATE_TRIGGER", trigger.model_dump(mode="json"))
    assert result.trigger.display_name == "Catch"


def test_add_branch_goes_before_the_fallback() -> None:
    condition = when("{{step_1.n}}", "NUMBER_IS_LESS_THAN", "3").model_dump(mode="json")
    result = run(
        sample(),
        "ADD_BRANCH",
        {"stepName": "pick", "branchIndex": 1, "branchName": "Small", "conditions": [[condition]]},
    )
    pick = result.step("pick")
    assert isinstance(pick, RouterStep)
    assert [b.branch_name for b in pick.branches] == ["Big", "Small", "Otherwise"]
    assert pick.branches[1].conditions[0][0].second_value == "3"
    err = fails(sample(), "ADD_BRANCH", {"stepName": "pick", "branchIndex": 2, "branchName": "X"})
    assert isinstance(err, FallbackBranchError)
    assert err.field == "branchIndex"
    wrong = fails(sample(), "ADD_BRANCH", {"stepName": "each", "branchIndex": 0, "branchName": "X"})
    assert isinstance(wrong, WrongStepTypeError)


def test_update_branch_renames_and_replaces_conditions() -> None:
    condition = when("a", "TEXT_CONTAINS", "b").model_dump(mode="json")
    result = run(
        sample(),
        "UPDATE_BRANCH",
        {"stepName": "pick", "branchIndex": 0, "branchName": "Any", "conditions": [[condition]]},
    )
    pick = result.step("pick")
    assert isinstance(pick, RouterStep)
    assert pick.branches[0].branch_name == "Any"
    assert pick.branches[0].conditions[0][0].operator == "TEXT_CONTAINS"
    assert [s.name for s in pick.branches[0].steps] == ["big"]
    renamed = run(
        sample(), "UPDATE_BRANCH", {"stepName": "pick", "branchIndex": 1, "branchName": "Else"}
    )
    assert renamed.step("pick").branches[1].branch_name == "Else"  # type: ignore[union-attr]


def test_fallback_branch_cannot_get_conditions_or_be_deleted() -> None:
    condition = when("a", "EXISTS").model_dump(mode="json")
    err = fails(
        sample(),
        "UPDATE_BRANCH",
        {"stepName": "pick", "branchIndex": 1, "conditions": [[condition]]},
    )
    assert isinstance(err, FallbackBranchError)
    assert (err.code, err.step, err.field) == ("FALLBACK_BRANCH", "pick", "conditions")
    deleted = fails(sample(), "DELETE_BRANCH", {"stepName": "pick", "branchIndex": 1})
    assert isinstance(deleted, FallbackBranchError)
    assert "is the fallback branch, which cannot be deleted" in deleted.message


def test_delete_branch_removes_it_with_its_steps() -> None:
    result = run(sample(), "DELETE_BRANCH", {"stepName": "pick", "branchIndex": 0})
    assert tree(result)[2] == {"pick": [["small"]]}
    assert result.step("big") is None
    err = fails(sample(), "DELETE_BRANCH", {"stepName": "pick", "branchIndex": 5})
    assert isinstance(err, BranchNotFoundError)
    assert "router 'pick' has branches 0 to 1, not 5" in err.message


def test_notes_are_added_updated_and_deleted() -> None:
    added = run(flow(), "ADD_NOTE", {"id": "n1", "content": "hi", "position": {"x": 5, "y": 6}})
    assert [(n.id, n.content, n.x, n.y) for n in added.notes] == [("n1", "hi", 5, 6)]
    updated = run(added, "UPDATE_NOTE", {"id": "n1", "content": "bye"})
    assert [(n.content, n.x) for n in updated.notes] == [("bye", 5)]
    assert run(updated, "DELETE_NOTE", {"id": "n1"}).notes == []
    assert isinstance(fails(added, "ADD_NOTE", {"id": "n1"}), DuplicateNoteError)
    assert isinstance(fails(added, "DELETE_NOTE", {"id": "n2"}), NoteNotFoundError)
