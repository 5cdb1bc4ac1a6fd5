"""Router conditions: evaluates every ConditionOperator on resolved operands."""

import contextlib
import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine.model import Condition, ConditionOperator
from engine.runtime.errors import EngineError, TemplateError
from engine.runtime.templating import resolve

Op = ConditionOperator

#: Operators that read only the first value.
UNARY = frozenset(
    {
        Op.BOOLEAN_IS_TRUE,
        Op.BOOLEAN_IS_FALSE,
        Op.LIST_IS_EMPTY,
        Op.LIST_IS_NOT_EMPTY,
        Op.EXISTS,
        Op.DOES_NOT_EXIST,
    }
)

#: Numbers above this are read as milliseconds since the epoch, below it as seconds.
_MS_THRESHOLD = 1e11


class ConditionError(EngineError):
    """A condition's operand cannot be compared with its operator (e.g. text for a number)."""

    code = "INVALID_CONDITION"


def branch_matches(
    conditions: list[list[Condition]],
    scope: Mapping[str, Any],
    evaluated: Mapping[str, Any] | None = None,
) -> bool:
    """Whether a branch's conditions hold: any AND-group whose conditions all hold.

    Args:
        conditions: the branch's conditions, an OR of AND-groups.
        scope: step outputs by name, used to resolve `{{...}}` in the operands.
        evaluated: the values of JavaScript expressions in the operands, by expression.

    Returns:
        True if one group matched; a branch without conditions never matches.

    Raises:
        ConditionError: an operand is not of the kind the operator compares.
        TemplateError: an operand references a missing step or path.
    """
    return any(
        group and all(condition_holds(condition, scope, evaluated) for condition in group)
        for group in conditions
    )


def condition_holds(
    condition: Condition, scope: Mapping[str, Any], evaluated: Mapping[str, Any] | None = None
) -> bool:
    """Resolves a condition's operands against `scope` and evaluates it.

    A missing reference in the first value counts as "does not exist" for EXISTS and
    DOES_NOT_EXIST; for other operators it is an error.
    """
    try:
        first = resolve(condition.first_value, scope, evaluated)
    except TemplateError:
        if condition.operator in (Op.EXISTS, Op.DOES_NOT_EXIST):
            first = None
        else:
            raise
    second = (
        None if condition.operator in UNARY else resolve(condition.second_value, scope, evaluated)
    )
    return evaluate(condition, first, second)


def evaluate(condition: Condition, first: Any, second: Any) -> bool:
    """Evaluates one condition on already resolved operands.

    Raises:
        ConditionError: an operand is not of the kind the operator compares.
    """
    operator = condition.operator
    if operator in _TEXT:
        test, negate = _TEXT[operator]
        a, b = _text(first), _text(second)
        if not condition.case_sensitive:
            a, b = a.casefold(), b.casefold()
        return test(a, b) != negate
    if operator in _NUMBER:
        a_num = _number(first, operator=operator, side="first")
        b_num = _number(second, operator=operator, side="second")
        return _NUMBER[operator](a_num, b_num)
    if operator in _DATE:
        a_date = _date(first, operator=operator, side="first")
        b_date = _date(second, operator=operator, side="second")
        return _DATE[operator](a_date, b_date)
    return _other(condition, first, second)


def _other(condition: Condition, first: Any, second: Any) -> bool:
    operator = condition.operator
    if operator in (Op.BOOLEAN_IS_TRUE, Op.BOOLEAN_IS_FALSE):
        return _boolean(first, operator=operator) == (operator is Op.BOOLEAN_IS_TRUE)
    if operator in (Op.LIST_IS_EMPTY, Op.LIST_IS_NOT_EMPTY):
        return (len(_list(first, operator=operator)) == 0) == (operator is Op.LIST_IS_EMPTY)
    if operator in (Op.LIST_CONTAINS, Op.LIST_DOES_NOT_CONTAIN):
        items = _list(first, operator=operator)
        wanted = _text(second)
        if not condition.case_sensitive:
            wanted = wanted.casefold()
        found = any(
            (_text(item) if condition.case_sensitive else _text(item).casefold()) == wanted
            for item in items
        )
        return found == (operator is Op.LIST_CONTAINS)
    exists = first is not None and first != ""
    return exists == (operator is Op.EXISTS)


_TEXT: dict[Op, tuple[Callable[[str, str], bool], bool]] = {
    Op.TEXT_CONTAINS: (lambda a, b: b in a, False),
    Op.TEXT_DOES_NOT_CONTAIN: (lambda a, b: b in a, True),
    Op.TEXT_EXACTLY_MATCHES: (lambda a, b: a == b, False),
    Op.TEXT_DOES_NOT_EXACTLY_MATCH: (lambda a, b: a == b, True),
    Op.TEXT_START_WITH: (lambda a, b: a.startswith(b), False),
    Op.TEXT_DOES_NOT_START_WITH: (lambda a, b: a.startswith(b), True),
    Op.TEXT_ENDS_WITH: (lambda a, b: a.endswith(b), False),
    Op.TEXT_DOES_NOT_END_WITH: (lambda a, b: a.endswith(b), True),
}

_NUMBER: dict[Op, Callable[[float, float], bool]] = {
    Op.NUMBER_IS_GREATER_THAN: lambda a, b: a > b,
    Op.NUMBER_IS_LESS_THAN: lambda a, b: a < b,
    Op.NUMBER_IS_EQUAL_TO: lambda a, b: a == b,
}

_DATE: dict[Op, Callable[[datetime, datetime], bool]] = {
    Op.DATE_IS_BEFORE: lambda a, b: a < b,
    Op.DATE_IS_EQUAL: lambda a, b: a == b,
    Op.DATE_IS_AFTER: lambda a, b: a > b,
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = _text(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _number(value: Any, *, operator: Op, side: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    else:
        number = math.nan
    if math.isnan(number):
        raise ConditionError(
            f"{operator} compares numbers, but the {side} value {_shown(value)} is not a number"
        )
    return number


def _date(value: Any, *, operator: Op, side: str) -> datetime:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if abs(value) > _MS_THRESHOLD else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.lstrip("-").replace(".", "", 1).isdigit():
                return _date(float(text), operator=operator, side=side)
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise ConditionError(
        f"{operator} compares dates, but the {side} value {_shown(value)} is not a date; "
        "use an ISO date such as 2024-05-01T12:00:00Z or a Unix timestamp"
    )


def _boolean(value: Any, *, operator: Op) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ConditionError(
        f"{operator} needs true or false, but the first value {_shown(value)} is neither"
    )


def _list(value: Any, *, operator: Op) -> list[Any]:
    if isinstance(value, str) and value.strip().startswith("["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, list):
        return value
    raise ConditionError(f"{operator} needs a list, but the first value {_shown(value)} is not one")
