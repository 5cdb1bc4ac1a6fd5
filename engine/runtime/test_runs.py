"""Test runs from the builder: the flow up to a step, and a log seeded with sample outputs.

Testing a step runs the flow cut after that step (`flow_up_to`). Earlier steps that have sample
data are not run again: the test run starts from a log that already records them with their
sample outputs (`seeded_log`), and the executor replays those records as it replays any run's
log. Steps without sample data run, so the step under test always has its inputs.
"""

from collections.abc import Mapping
from typing import Any

from engine.model import (
    Branch,
    BranchType,
    Flow,
    LoopStep,
    RouterStep,
    RunLog,
    RunStatus,
    StepRecord,
    StepStatus,
    iter_steps,
)
from engine.runtime.replay import TRIGGER, fingerprints


class StepToTestError(ValueError):
    """The flow has no step by the name given to test."""

    code = "STEP_NOT_FOUND"


def flow_up_to(flow: Flow, step_name: str) -> Flow:
    """The flow cut after `step_name`: the steps that run before it, and the step itself.

    A step inside a router branch keeps only that branch, made the router's FALLBACK, so the
    step runs whatever the conditions say; inside a loop, the loop runs its items up to the step.

    Raises:
        StepToTestError: the flow has no such step (`trigger` tests the trigger alone).
    """
    if step_name == TRIGGER:
        return flow.model_copy(update={"steps": []})
    cut = _cut(flow.steps, step_name)
    if cut is None:
        raise StepToTestError(f"The flow has no step {step_name!r} to test")
    return flow.model_copy(update={"steps": cut})


def _cut(steps: list[Any], name: str) -> list[Any] | None:
    """The steps up to the named one (at any depth), or None when it is not among them."""
    for index, step in enumerate(steps):
        if step.name == name:
            return [*steps[:index], step]
        inner = _cut_inside(step, name)
        if inner is not None:
            return [*steps[:index], inner]
    return None


def _cut_inside(step: Any, name: str) -> Any | None:
    if isinstance(step, LoopStep):
        body = _cut(step.steps, name)
        return None if body is None else step.model_copy(update={"steps": body})
    if isinstance(step, RouterStep):
        for branch in step.branches:
            body = _cut(branch.steps, name)
            if body is not None:
                forced = Branch(
                    branch_name=branch.branch_name, branch_type=BranchType.FALLBACK, steps=body
                )
                return step.model_copy(update={"branches": [forced]})
    return None


def seeded_log(flow: Flow, samples: Mapping[str, Any], *, before: str | None) -> RunLog:
    """The log a test run starts from: the trigger and the steps before `before` (all steps
    when None) that have a sample output, recorded as SUCCEEDED with it.

    Steps inside loops run per item and routers choose again, so neither is seeded; a step
    that contains `before` is not seeded either (it must run to reach it).
    """
    prints = fingerprints(flow)
    entries: list[StepRecord] = []
    if TRIGGER in samples:
        entries.append(_record(TRIGGER, prints[TRIGGER], samples[TRIGGER]))
    containing = _ancestors(flow.steps, before) if before is not None else set()
    # Loop bodies are not walked: reaching the loop around the step is reaching the step.
    stop_at = {before, *(containing - _routers(flow))}
    for step in _outside_loops(flow.steps):
        if step.name in stop_at:
            break
        if step.name in samples and step.name not in containing and step.type != "ROUTER":
            entries.append(_record(step.name, prints[step.name], samples[step.name]))
    if not entries:
        return RunLog()
    size = sum(len(entry.model_dump_json()) for entry in entries)
    return RunLog(status=RunStatus.RUNNING, entries=entries, size_bytes=size)


def _record(name: str, printed: tuple[str, str], output: Any) -> StepRecord:
    step_type, fingerprint = printed
    return StepRecord(
        name=name,
        type=step_type,
        status=StepStatus.SUCCEEDED,
        output=output,
        path=name,
        fingerprint=fingerprint,
    )


def _routers(flow: Flow) -> set[str]:
    return {step.name for step in iter_steps(flow.steps) if isinstance(step, RouterStep)}


def _outside_loops(steps: list[Any]) -> list[Any]:
    """Steps in execution order, loop bodies left out (their paths carry the iteration)."""
    found: list[Any] = []
    for step in steps:
        found.append(step)
        if isinstance(step, RouterStep):
            for branch in step.branches:
                found.extend(_outside_loops(branch.steps))
    return found


def _ancestors(steps: list[Any], name: str) -> set[str]:
    """The names of the loops and routers that contain the named step."""
    for step in steps:
        if step.name == name:
            return set()
        children = (
            [step.steps]
            if isinstance(step, LoopStep)
            else [b.steps for b in step.branches]
            if isinstance(step, RouterStep)
            else []
        )
        for inner in children:
            if any(s.name == name for s in iter_steps(inner)):
                return {step.name, *_ancestors(inner, name)}
    return set()
