"""Where a step sits in a flow, as the (parent, location, branch index) that ADD_ACTION and MOVE_ACTION take."""

from dataclasses import dataclass
from typing import Literal

from engine.model import Flow, LoopStep, RouterStep, Step

Location = Literal["AFTER", "INSIDE_LOOP", "INSIDE_BRANCH"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """A place for a step: AFTER `parent` (`trigger` = first), or first INSIDE_LOOP / INSIDE_BRANCH."""

    parent: str
    location: Location = "AFTER"
    branch_index: int | None = None


def placement_of(flow: Flow, name: str) -> Placement | None:
    """The place the named step occupies now, or None when there is no such step."""
    return _search(flow.steps, name, Placement(parent="trigger"))


def _search(steps: list[Step], name: str, first: Placement) -> Placement | None:
    for index, step in enumerate(steps):
        if step.name == name:
            return first if index == 0 else Placement(parent=steps[index - 1].name)
        found: Placement | None = None
        if isinstance(step, LoopStep):
            found = _search(step.steps, name, Placement(parent=step.name, location="INSIDE_LOOP"))
        elif isinstance(step, RouterStep):
            for branch_index, branch in enumerate(step.branches):
                inside = Placement(
                    parent=step.name, location="INSIDE_BRANCH", branch_index=branch_index
                )
                found = _search(branch.steps, name, inside)
                if found is not None:
                    break
        if found is not None:
            return found
    return None


def container_of(flow: Flow, name: str) -> list[Step] | None:
    """The step list holding the named step (top level, a loop's or a branch's)."""
    return _container(flow.steps, name)


def _container(steps: list[Step], name: str) -> list[Step] | None:
    for step in steps:
        if step.name == name:
            return steps
        lists: list[list[Step]] = []
        if isinstance(step, LoopStep):
            lists = [step.steps]
        elif isinstance(step, RouterStep):
            lists = [branch.steps for branch in step.branches]
        for children in lists:
            found = _container(children, name)
            if found is not None:
                return found
    return None
