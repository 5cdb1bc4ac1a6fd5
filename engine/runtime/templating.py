"""Templating: resolves `{{step.path}}` references in step inputs against earlier outputs.

A `{{...}}` that is not a plain path is a JavaScript expression: `expressions_in` finds them,
the caller evaluates them (in the Deno runtime, see `resolve_expressions`), and `resolve` uses
the values it is given.
"""

import functools
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from engine.runtime.errors import TemplateError

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FIRST = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_NEXT = re.compile(
    r"""\s*(?:\.\s*([A-Za-z_$][A-Za-z0-9_$]*)|\[\s*(-?\d+)\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])"""
)


#: Evaluates a JavaScript expression with the given variables in scope.
Evaluate = Callable[[str, Mapping[str, Any]], Awaitable[Any]]

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def resolve(
    value: Any, scope: Mapping[str, Any], evaluated: Mapping[str, Any] | None = None
) -> Any:
    """Resolves every template in a value (strings, and strings nested in lists and dicts).

    A string that is one whole reference keeps the referenced value's type; references inside
    other text are interpolated, non-strings as JSON.

    Args:
        value: an input value as written in the flow.
        scope: `trigger`, earlier steps' outputs by name, and `connections`.
        evaluated: the values of the JavaScript expressions in `value`, by expression text.

    Returns:
        The value with every reference replaced.

    Raises:
        TemplateError: a reference names a missing step or path, or is not a path.
    """
    if isinstance(value, str):
        return _resolve_text(value, scope, evaluated or {})
    if isinstance(value, list):
        return [resolve(item, scope, evaluated) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, scope, evaluated) for key, item in value.items()}
    return value


def expressions_in(value: Any) -> set[str]:
    """The JavaScript expressions (templates that are not plain paths) in a value."""
    if isinstance(value, str):
        if "{{" not in value:
            return set()
        return {m.group(1).strip() for m in _TEMPLATE.finditer(value) if not is_path(m.group(1))}
    if isinstance(value, list):
        return set().union(*(expressions_in(item) for item in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(expressions_in(v) for v in value.values())) if value else set()
    return set()


@functools.lru_cache(maxsize=4096)
def is_path(expression: str) -> bool:
    """Whether a template's content is a plain reference such as `step.rows[0]['name']`."""
    first = _FIRST.match(expression)
    if first is None:
        return False
    position, end = first.end(), len(expression.rstrip())
    while position < end:
        part = _NEXT.match(expression, position)
        if part is None:
            return False
        position = part.end()
    return True


async def resolve_expressions(
    value: Any, scope: Mapping[str, Any], evaluate: Evaluate
) -> dict[str, Any]:
    """Evaluates the JavaScript expressions in a value, each with the scope's names it uses.

    Raises:
        EngineError: an expression failed (the code runtime's message names it).
    """
    values: dict[str, Any] = {}
    for expression in sorted(expressions_in(value)):
        used = {name: scope[name] for name in _IDENTIFIER.findall(expression) if name in scope}
        values[expression] = await evaluate(expression, used)
    return values


def expressions_using(evaluated: Mapping[str, Any], name: str) -> set[str]:
    """Which evaluated expressions read the variable `name` (e.g. `connections`)."""
    return {e for e in evaluated if name in _IDENTIFIER.findall(e)}


def _resolve_text(text: str, scope: Mapping[str, Any], evaluated: Mapping[str, Any]) -> Any:
    whole = _TEMPLATE.fullmatch(text.strip())
    if whole and text.strip().count("{{") == 1:
        return _value_of(whole.group(1), scope, evaluated)

    def interpolate(match: re.Match[str]) -> str:
        found = _value_of(match.group(1), scope, evaluated)
        if isinstance(found, str):
            return found
        return "" if found is None else json.dumps(found, separators=(",", ":"))

    return _TEMPLATE.sub(interpolate, text)


def _value_of(expression: str, scope: Mapping[str, Any], evaluated: Mapping[str, Any]) -> Any:
    stripped = expression.strip()
    if stripped in evaluated:
        return evaluated[stripped]
    return lookup(expression, scope)


def lookup(expression: str, scope: Mapping[str, Any]) -> Any:
    """Returns the value a path such as `step_1.rows[0]['name']` refers to.

    Raises:
        TemplateError: the path is malformed, or a step or key along it is missing.
    """
    shown = "{{" + expression.strip() + "}}"
    first = _FIRST.match(expression)
    if first is None:
        raise TemplateError(
            f"{shown} is not a reference to a step output (write {{{{step_name.field}}}})"
        )
    name = first.group(1)
    if name not in scope:
        raise TemplateError(f"{shown}: there is no step named {name!r} before this step")
    value = scope[name]
    walked = name
    position = first.end()
    while position < len(expression.rstrip()):
        part = _NEXT.match(expression, position)
        if part is None:
            raise TemplateError(
                f"{shown} is a JavaScript expression, and none can be evaluated here; "
                "use a plain reference such as {{step_name.field}}"
            )
        attr, index, single, double = part.groups()
        key: str | int = int(index) if index is not None else (attr or single or double or "")
        value = _step_into(value, key, shown=shown, walked=walked)
        walked += f".{key}" if isinstance(key, str) else f"[{key}]"
        position = part.end()
    return value


def _step_into(value: Any, key: str | int, *, shown: str, walked: str) -> Any:
    if isinstance(value, Mapping) and isinstance(key, str | int) and str(key) in value:
        return value[str(key)]
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    if isinstance(value, list) and key == "length":
        return len(value)
    if isinstance(value, list) and isinstance(key, int):
        raise TemplateError(f"{shown}: {walked} has {len(value)} items, there is no item {key}")
    if isinstance(value, Mapping) and walked == "connections":
        raise TemplateError(
            f"{shown}: this project has no connection {key!r}; create it under Connections"
        )
    if isinstance(value, Mapping):
        raise TemplateError(f"{shown}: {walked} has no field {key!r}")
    kind = "nothing" if value is None else type(value).__name__
    raise TemplateError(f"{shown}: {walked} is {kind}, it has no field {key!r}")


#: What a secret looks like in recorded step inputs.
REDACTED = "**REDACTED**"


def redacted(value: Any) -> Any:
    """The value with every string, number and boolean replaced by REDACTED, keeping its shape
    (so that `{{connections['id'].field}}` still resolves when recording a step's input)."""
    if isinstance(value, Mapping):
        return {key: redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return None if value is None else REDACTED
