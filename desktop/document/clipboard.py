"""Copy and paste of steps between flows: a step as JSON text, pasted with fresh names."""

import json
import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from engine.model import Flow, Step, iter_steps

#: Marks clipboard text as a Piecework step (plain JSON text pastes into other apps too).
MARKER = "pieceworkStep"

_STEP = TypeAdapter[Step](Step)


def copied(step: Step) -> str:
    """The clipboard text of a step (with its children)."""
    return json.dumps({MARKER: step.model_dump(mode="json")}, indent=2)


def pasted(flow: Flow, text: str) -> Step | None:
    """The clipboard's step renamed to fit the flow (`step_N`, references between copies rewritten).

    None when the text is not a copied step.
    """
    try:
        document = json.loads(text)
        raw = document[MARKER]
        step = _STEP.validate_python(raw)
    except (ValueError, KeyError, TypeError, ValidationError):
        return None
    taken = {s.name for s in iter_steps(flow.steps)} | {"trigger"}
    renames: dict[str, str] = {}
    number = 1
    for old in (s.name for s in iter_steps([step])):
        while f"step_{number}" in taken:
            number += 1
        renames[old] = f"step_{number}"
        taken.add(renames[old])
    return _STEP.validate_python(_renamed(step.model_dump(mode="json"), renames))


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {key: _renamed(item, renames) for key, item in value.items()}
        if isinstance(out.get("name"), str) and "type" in out and out["name"] in renames:
            out["name"] = renames[out["name"]]
        return out
    if isinstance(value, list):
        return [_renamed(item, renames) for item in value]
    if isinstance(value, str):
        for old, new in renames.items():
            value = re.sub(r"(\{\{\s*)" + re.escape(old) + r"(?=[\s.\[}])", r"\g<1>" + new, value)
        return value
    return value
