"""Step operations on a flow document copy: add, update, delete, move and duplicate steps."""

import copy
import re
from typing import Any

from engine.model.flow import CodeStep, LoopStep, PieceStep, RouterStep
from engine.model.operation_errors import (
    DuplicateStepNameError,
    FlowOperationError,
    InvalidStepChangeError,
    MoveIntoItselfError,
)
from engine.model.operation_requests import (
    AddActionRequest,
    DeleteActionRequest,
    DuplicateActionRequest,
    MoveActionRequest,
)
from engine.model.step_tree import (
    JsonStep,
    child_lists,
    insertion_point,
    locate,
    names,
    next_free_name,
    require,
    walk,
)

Document = dict[str, Any]
AnyStep = CodeStep | PieceStep | LoopStep | RouterStep


def add_action(document: Document, request: AddActionRequest) -> None:
    """Inserts the request's step (with any children) where the request says.

    Raises:
        DuplicateStepNameError: the new step, or one of its children, reuses a name.
        StepNotFoundError, InvalidStepLocationError, BranchNotFoundError: the place is invalid.
    """
    step: JsonStep = request.action.model_dump(mode="json")
    taken = names(document)
    for new in walk([step]):
        if new["name"] in taken:
            raise DuplicateStepNameError(
                f"action.name: a step named {new['name']!r} already exists; choose another name",
                step=str(new["name"]),
                field="action.name",
            )
        taken.add(new["name"])
    container, index = insertion_point(
        document,
        parent=request.parent_step,
        location=request.step_location_relative_to_parent,
        branch_index=request.branch_index,
        parent_field="parentStep",
    )
    container.insert(index, step)


def update_action(document: Document, step: AnyStep) -> None:
    """Replaces a step's type, display name, settings and skip; a loop's or router's steps stay.

    A router's branches keep their steps; when the update lists branches, their names, types
    and conditions replace the current ones (the same number of branches is required).

    Raises:
        StepNotFoundError: no step has this name.
        InvalidStepChangeError: the change would drop a loop's or router's children.
    """
    container, index = require(document, step.name, field="name")
    current = container[index]
    updated: JsonStep = step.model_dump(mode="json")
    has_children = any(child for children in child_lists(current) for child in children)
    if updated["type"] != current["type"]:
        if has_children:
            raise InvalidStepChangeError(
                f"type: step {step.name!r} has steps inside it; move or delete them before "
                f"making it a {updated['type']} step",
                step=step.name,
                field="type",
            )
    elif updated["type"] == "LOOP_ON_ITEMS":
        updated["steps"] = current.get("steps", [])
    elif updated["type"] == "ROUTER":
        updated["branches"] = _merged_branches(step.name, current, updated)
    container[index] = updated


def _merged_branches(name: str, current: JsonStep, updated: JsonStep) -> list[dict[str, Any]]:
    old: list[dict[str, Any]] = current.get("branches", [])
    new: list[dict[str, Any]] = updated.get("branches", [])
    if not new:
        return old
    if len(new) != len(old):
        raise InvalidStepChangeError(
            f"branches: router {name!r} has {len(old)} branches, the update lists {len(new)}; "
            "use ADD_BRANCH / DELETE_BRANCH to change how many there are",
            step=name,
            field="branches",
        )
    return [
        {**branch, "steps": before.get("steps", [])}
        for branch, before in zip(new, old, strict=True)
    ]


def delete_action(document: Document, request: DeleteActionRequest) -> None:
    """Deletes steps by name; a loop or router is deleted with its children.

    Raises:
        FlowOperationError: no name was given.
        StepNotFoundError: a name is not a step of the flow.
    """
    targets = [*request.names, *([request.name] if request.name else [])]
    if not targets:
        raise FlowOperationError("names: list at least one step to delete", field="names")
    for name in targets:
        require(document, name, field="names")
    for name in targets:
        found = locate(document["steps"], name)
        if found is not None:  # None: it went with a loop or router deleted before it
            container, index = found
            del container[index]


def move_action(document: Document, request: MoveActionRequest) -> None:
    """Moves a step (with its children) to a new place.

    Raises:
        MoveIntoItselfError: the new parent is the step itself or one of its children.
        StepNotFoundError, InvalidStepLocationError, BranchNotFoundError: the place is invalid.
    """
    container, index = require(document, request.name, field="name")
    moving = container[index]
    location = request.step_location_relative_to_new_parent
    if request.new_parent_step == request.name and location == "AFTER":
        return
    inside = {str(step["name"]) for step in walk([moving])}
    if request.new_parent_step in inside:
        raise MoveIntoItselfError(
            f"newParentStep: step {request.name!r} cannot move into itself or its own child "
            f"{request.new_parent_step!r}",
            step=request.name,
            field="newParentStep",
        )
    del container[index]
    target, at = insertion_point(
        document,
        parent=request.new_parent_step,
        location=location,
        branch_index=request.branch_index,
        parent_field="newParentStep",
    )
    target.insert(at, moving)


def duplicate_action(document: Document, request: DuplicateActionRequest) -> None:
    """Inserts a copy of a step right after it; the copy and its children get new unique names.

    References between the copied steps are renamed too, so a copied loop's children refer to
    the copied loop.

    Raises:
        StepNotFoundError: no step has this name.
    """
    container, index = require(document, request.step_name, field="stepName")
    duplicate = copy.deepcopy(container[index])
    taken = names(document)
    renames = {str(step["name"]): next_free_name(taken) for step in walk([duplicate])}
    for step in walk([duplicate]):
        step["name"] = renames[step["name"]]
        for key in ("settings", "branches"):
            if key in step:
                step[key] = _renamed_references(step[key], renames)
    container.insert(index + 1, duplicate)


def _renamed_references(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in renames.items():
            value = re.sub(r"(\{\{\s*)" + re.escape(old) + r"(?=[\s.\[}])", r"\g<1>" + new, value)
        return value
    if isinstance(value, list):
        return [_renamed_references(item, renames) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key == "steps" else _renamed_references(item, renames)
            for key, item in value.items()
        }
    return value
