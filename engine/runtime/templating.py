"""Templating: resolves `{{step.path}}` references in step inputs against earlier outputs."""

import json
import re
from collections.abc import Mapping
from typing import Any

from engine.runtime.errors import TemplateError

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FIRST = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_NEXT = re.compile(
    r"""\s*(?:\.\s*([A-Za-z_$][A-Za-z0-9_$]*)|\[\s*(-?\d+)\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\])"""
)


def resolve(value: Any, scope: Mapping[str, Any]) -> Any:
    """Resolves every template in a value (strings, and strings nested in lists and dicts).

    A string that is one whole reference keeps the referenced value's type; references inside
    other text are interpolated, non-strings as JSON.

    Args:
        value: an input value as written in the flow.
        scope: `trigger`, earlier steps' outputs by name, and `connections`.

    Returns:
        The value with every reference replaced.

    Raises:
        TemplateError: a reference names a missing step or path, or is not a path.
    """
    if isinstance(value, str):
        return _resolve_text(value, scope)
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, scope) for key, item in value.items()}
    return value


def _resolve_text(text: str, scope: Mapping[str, Any]) -> Any:
    whole = _TEMPLATE.fullmatch(text.strip())
    if whole and text.strip().count("{{") == 1:
        return lookup(whole.group(1), scope)

    def interpolate(match: re.Match[str]) -> str:
        found = lookup(match.group(1), scope)
        if isinstance(found, str):
            return found
        return "" if found is None else json.dumps(found, separators=(",", ":"))

    return _TEMPLATE.sub(interpolate, text)


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
                f"{shown} is not a plain reference; JavaScript expressions in templates are not supported yet"
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
