"""Validation of a flow version: every problem that would stop it from running, by step and field."""

import re
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from engine.model.base import Model
from engine.model.flow import (
    Branch,
    BranchType,
    CodeStep,
    Condition,
    ConditionOperator,
    Flow,
    LoopStep,
    PieceStep,
    PieceTrigger,
    RouterStep,
    iter_steps,
)

AnyStep = CodeStep | PieceStep | LoopStep | RouterStep
Op = ConditionOperator

#: Names a template may start with that are not steps.
_BUILT_IN_NAMES = frozenset({"trigger", "connections"})
_REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)")
_UNARY = frozenset(
    {Op.BOOLEAN_IS_TRUE, Op.BOOLEAN_IS_FALSE, Op.LIST_IS_EMPTY, Op.LIST_IS_NOT_EMPTY}
    | {Op.EXISTS, Op.DOES_NOT_EXIST}
)
_NUMBER_OPS = frozenset({Op.NUMBER_IS_GREATER_THAN, Op.NUMBER_IS_LESS_THAN, Op.NUMBER_IS_EQUAL_TO})
_DATE_OPS = frozenset({Op.DATE_IS_BEFORE, Op.DATE_IS_EQUAL, Op.DATE_IS_AFTER})


class ValidationProblem(Model):
    """One problem: the step (`trigger` for the trigger), the field in it, a code and a message."""

    step: str
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.step}.{self.field}: {self.message}"


def validate(
    flow: Flow, *, pieces: Mapping[str, Collection[str]] | None = None
) -> list[ValidationProblem]:
    """Lists every problem that would stop the flow from running as intended.

    Args:
        flow: the flow version to check.
        pieces: installed pieces, name → names of their actions and triggers; when given,
            steps using other pieces or actions are reported (engine.model cannot load pieces).

    Returns:
        The problems in flow order; an empty list means the flow is ready to publish.
    """
    problems = list(_trigger_problems(flow, pieces))
    problems += _duplicate_names(flow)
    for step in iter_steps(flow.steps):
        problems += _step_problems(step, pieces)
    problems += _reference_problems(flow.steps, visible=set(_BUILT_IN_NAMES), flow=flow)
    return problems


def _problem(step: str, field: str, code: str, message: str) -> ValidationProblem:
    return ValidationProblem(step=step, field=field, code=code, message=message)


def _trigger_problems(
    flow: Flow, pieces: Mapping[str, Collection[str]] | None
) -> Iterator[ValidationProblem]:
    trigger = flow.trigger
    if not isinstance(trigger, PieceTrigger):
        yield _problem("trigger", "type", "UNCONFIGURED", "no trigger is chosen; choose one")
        return
    if not trigger.settings.trigger_name:
        yield _problem(
            "trigger", "settings.triggerName", "UNCONFIGURED", "choose which trigger of the piece"
        )
    yield from _piece_problems(
        "trigger",
        trigger.settings.piece_name,
        trigger.settings.trigger_name,
        name_field="settings.triggerName",
        pieces=pieces,
    )


def _piece_problems(
    step: str,
    piece: str,
    member: str | None,
    *,
    name_field: str,
    pieces: Mapping[str, Collection[str]] | None,
) -> Iterator[ValidationProblem]:
    if pieces is None:
        return
    if piece not in pieces:
        yield _problem(
            step,
            "settings.pieceName",
            "UNKNOWN_PIECE",
            f"piece {piece!r} is not installed; install it or replace this step",
        )
    elif member and member not in pieces[piece]:
        yield _problem(
            step,
            name_field,
            "UNKNOWN_ACTION",
            f"piece {piece!r} has no {member!r}; choose one of {sorted(pieces[piece])}",
        )


def _duplicate_names(flow: Flow) -> Iterator[ValidationProblem]:
    seen = {"trigger"}
    for step in iter_steps(flow.steps):
        if step.name in _BUILT_IN_NAMES:
            yield _problem(
                step.name,
                "name",
                "RESERVED_NAME",
                f"{step.name!r} is a reserved name in templates; rename the step",
            )
        elif step.name in seen:
            yield _problem(
                step.name, "name", "DUPLICATE_NAME", f"another step is named {step.name!r}"
            )
        seen.add(step.name)


def _step_problems(
    step: AnyStep, pieces: Mapping[str, Collection[str]] | None
) -> list[ValidationProblem]:
    name = step.name
    if isinstance(step, PieceStep):
        found = []
        if not step.settings.action_name:
            found.append(_problem(name, "settings.actionName", "UNCONFIGURED", "choose an action"))
        found += _piece_problems(
            name,
            step.settings.piece_name,
            step.settings.action_name,
            name_field="settings.actionName",
            pieces=pieces,
        )
        return found
    if isinstance(step, CodeStep):
        if not step.settings.source_code.code.strip():
            return [_problem(name, "settings.sourceCode.code", "UNCONFIGURED", "write the code")]
        return []
    if isinstance(step, LoopStep):
        if not step.settings.items.strip():
            message = "set the list to loop over, e.g. {{trigger.body.rows}}"
            return [_problem(name, "settings.items", "UNCONFIGURED", message)]
        return []
    return _router_problems(step)


def _router_problems(step: RouterStep) -> list[ValidationProblem]:
    found = []
    fallbacks = [i for i, b in enumerate(step.branches) if b.branch_type is BranchType.FALLBACK]
    if fallbacks != [len(step.branches) - 1]:
        found.append(
            _problem(
                step.name,
                "branches",
                "INVALID_BRANCHES",
                "a router needs exactly one fallback branch, as its last branch",
            )
        )
    for index, branch in enumerate(step.branches):
        found += _branch_problems(step.name, index, branch)
    return found


def _branch_problems(router: str, index: int, branch: Branch) -> list[ValidationProblem]:
    at = f"branches[{index}]"
    found = []
    if not branch.steps:
        found.append(
            _problem(
                router, f"{at}.steps", "EMPTY_BRANCH", f"branch {branch.branch_name!r} has no steps"
            )
        )
    if branch.branch_type is BranchType.FALLBACK:
        return found
    if not branch.conditions or not all(branch.conditions):
        found.append(
            _problem(
                router,
                f"{at}.conditions",
                "UNCONFIGURED",
                f"branch {branch.branch_name!r} has an empty condition group; add conditions",
            )
        )
    for g, group in enumerate(branch.conditions):
        for c, condition in enumerate(group):
            message = condition_problem(condition)
            if message:
                field = f"{at}.conditions[{g}][{c}]"
                found.append(_problem(router, field, "INVALID_CONDITION", message))
    return found


def condition_problem(condition: Condition) -> str | None:
    """What is wrong with a condition's literal operands, if anything (templates are not checked)."""
    operator = condition.operator
    values = [("firstValue", condition.first_value)]
    if operator not in _UNARY:
        values.append(("secondValue", condition.second_value))
    for field, value in values:
        if value is None or value == "":
            return f"{field} is empty"
        if isinstance(value, str) and "{{" in value:
            continue
        if operator in _NUMBER_OPS and not _is_number(value):
            return f"{field} {value!r} is not a number, which {operator} compares"
        if operator in _DATE_OPS and not _is_date(value):
            return f"{field} {value!r} is not a date (ISO 8601 or a Unix timestamp)"
        if operator in (Op.BOOLEAN_IS_TRUE, Op.BOOLEAN_IS_FALSE) and str(value).lower() not in (
            "true",
            "false",
        ):
            return f"{field} {value!r} is not true or false"
    return None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_date(value: Any) -> bool:
    if _is_number(value):
        return True
    try:
        datetime.fromisoformat(str(value).strip())
    except ValueError:
        return False
    return True


def _reference_problems(
    steps: list[AnyStep], *, visible: set[str], flow: Flow
) -> list[ValidationProblem]:
    """Checks references step by step, knowing which steps have run before each one."""
    found: list[ValidationProblem] = []
    visible = set(visible)
    for step in steps:
        for field, name in _references(step):
            if name in visible:
                continue
            if flow.step(name) is None:
                message = f"refers to {{{{{name}...}}}}, but there is no step named {name!r}"
                found.append(_problem(step.name, field, "UNKNOWN_REFERENCE", message))
            else:
                message = f"refers to step {name!r}, which has not run at this point of the flow"
                found.append(_problem(step.name, field, "LATER_REFERENCE", message))
        inside = visible | {step.name}
        if isinstance(step, LoopStep):
            found += _reference_problems(step.steps, visible=inside, flow=flow)
        elif isinstance(step, RouterStep):
            for branch in step.branches:
                found += _reference_problems(branch.steps, visible=inside, flow=flow)
        visible |= {s.name for s in iter_steps([step])}
    return found


def _references(step: AnyStep) -> Iterator[tuple[str, str]]:
    """(field, referenced name) for every `{{name...}}` in the step's own settings."""
    if isinstance(step, LoopStep):
        yield from _strings_references("settings.items", step.settings.items)
    elif isinstance(step, RouterStep):
        for index, branch in enumerate(step.branches):
            for g, group in enumerate(branch.conditions):
                for c, condition in enumerate(group):
                    field = f"branches[{index}].conditions[{g}][{c}]"
                    yield from _strings_references(f"{field}.firstValue", condition.first_value)
                    yield from _strings_references(f"{field}.secondValue", condition.second_value)
    else:
        yield from _strings_references("settings.input", step.settings.input)


def _strings_references(field: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        for match in _REFERENCE.finditer(value):
            yield field, match.group(1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_references(f"{field}[{index}]", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_references(f"{field}.{key}", item)
