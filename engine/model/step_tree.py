"""Finding and placing steps in a flow document's nested step lists (plain JSON, edited on a copy)."""

from collections.abc import Iterator
from typing import Any, Literal

from engine.model.operation_errors import (
    BranchNotFoundError,
    InvalidStepLocationError,
    StepNotFoundError,
)

JsonStep = dict[str, Any]
StepList = list[JsonStep]
Location = Literal["AFTER", "INSIDE_LOOP", "INSIDE_BRANCH"]


def child_lists(step: JsonStep) -> Iterator[StepList]:
    """The step lists directly inside a step: a loop's steps, or each router branch's steps."""
    if step.get("type") == "LOOP_ON_ITEMS":
        yield step.setdefault("steps", [])
    elif step.get("type") == "ROUTER":
        for branch in step.get("branches", []):
            yield branch.setdefault("steps", [])


def walk(steps: StepList) -> Iterator[JsonStep]:
    """Every step depth-first, a loop or router before its children."""
    for step in steps:
        yield step
        for children in child_lists(step):
            yield from walk(children)


def names(document: dict[str, Any]) -> set[str]:
    """Every step name in the document, `trigger` included."""
    return {"trigger", *(str(step["name"]) for step in walk(document["steps"]))}


def locate(steps: StepList, name: str) -> tuple[StepList, int] | None:
    """The list holding the named step and its index there, at any depth."""
    for index, step in enumerate(steps):
        if step["name"] == name:
            return steps, index
        for children in child_lists(step):
            found = locate(children, name)
            if found is not None:
                return found
    return None


def require(document: dict[str, Any], name: str, *, field: str) -> tuple[StepList, int]:
    """Like locate(), for a step the operation needs.

    Raises:
        StepNotFoundError: no step has this name.
    """
    found = locate(document["steps"], name)
    if found is None:
        raise StepNotFoundError(
            f"{field}: there is no step named {name!r} in this flow", step=name, field=field
        )
    return found


def router_branch(
    router: JsonStep, branch_index: int | None, *, field: str = "branchIndex"
) -> dict[str, Any]:
    """The router's branch at `branch_index`.

    Raises:
        BranchNotFoundError: the index is missing or out of range.
    """
    branches: list[dict[str, Any]] = router.get("branches", [])
    if branch_index is None or not 0 <= branch_index < len(branches):
        raise BranchNotFoundError(
            f"{field}: router {router['name']!r} has branches 0 to {len(branches) - 1}, "
            f"not {branch_index}",
            step=str(router["name"]),
            field=field,
        )
    return branches[branch_index]


def insertion_point(
    document: dict[str, Any],
    *,
    parent: str,
    location: Location,
    branch_index: int | None,
    parent_field: str,
) -> tuple[StepList, int]:
    """Where a step placed relative to `parent` goes: a list and an index in it.

    AFTER `trigger` is the start of the flow; INSIDE_LOOP and INSIDE_BRANCH are the start of the
    loop's steps or of the router branch's steps.

    Raises:
        StepNotFoundError: the parent does not exist.
        InvalidStepLocationError: the parent is not a loop (INSIDE_LOOP) or router (INSIDE_BRANCH).
        BranchNotFoundError: the branch index is missing or out of range.
    """
    if location == "AFTER":
        if parent == "trigger":
            return document["steps"], 0
        container, index = require(document, parent, field=parent_field)
        return container, index + 1
    if parent == "trigger":
        raise InvalidStepLocationError(
            f"{parent_field}: the trigger has no steps inside it; use AFTER",
            step=parent,
            field=parent_field,
        )
    container, index = require(document, parent, field=parent_field)
    step = container[index]
    wanted = "LOOP_ON_ITEMS" if location == "INSIDE_LOOP" else "ROUTER"
    if step["type"] != wanted:
        raise InvalidStepLocationError(
            f"{parent_field}: step {parent!r} is a {step['type']} step, so nothing can go "
            f"{location}; choose a {wanted} step or use AFTER",
            step=parent,
            field=parent_field,
        )
    if location == "INSIDE_LOOP":
        return step.setdefault("steps", []), 0
    return router_branch(step, branch_index).setdefault("steps", []), 0


def next_free_name(taken: set[str], *, prefix: str = "step_") -> str:
    """The first `step_N` not in `taken` (N from 1), which is then added to `taken`."""
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    name = f"{prefix}{number}"
    taken.add(name)
    return name
