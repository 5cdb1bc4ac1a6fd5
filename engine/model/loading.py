"""Loading flow documents: schema-version migration and validation errors a person can act on."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from engine.model.flow import SCHEMA_VERSION, Flow

#: Upgrades from schema version N to N+1, applied in order on load.
_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

#: Discriminator tags pydantic puts into error locations; they are not part of the document path.
_UNION_TAGS = frozenset({"CODE", "PIECE", "LOOP_ON_ITEMS", "ROUTER", "EMPTY", "PIECE_TRIGGER"})


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowProblem:
    """One thing wrong with a flow document, at a path such as `steps[0].settings.input`."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FlowLoadError(ValueError):
    """A document is not a valid flow; `problems` says where and what."""

    code = "INVALID_FLOW"

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def load_flow(data: object) -> Flow:
    """Validates a flow document (a parsed JSON value), migrating older schema versions first.

    Args:
        data: the parsed JSON document.

    Returns:
        The flow, in the current schema version.

    Raises:
        FlowLoadError: the document is not a valid flow; every problem found is listed.
    """
    if not isinstance(data, dict):
        raise FlowLoadError(
            [FlowProblem(path="", message=f"a flow is a JSON object, not {_json_kind(data)}")]
        )
    version = data.get("schemaVersion", SCHEMA_VERSION)
    if not isinstance(version, int) or version < 1:
        raise FlowLoadError(
            [FlowProblem(path="schemaVersion", message="must be a positive whole number")]
        )
    if version > SCHEMA_VERSION:
        message = (
            f"this flow was written by a newer Piecework (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}): update Piecework to open it"
        )
        raise FlowLoadError([FlowProblem(path="schemaVersion", message=message)])
    for from_version in range(version, SCHEMA_VERSION):
        data = _MIGRATIONS[from_version](data)
    try:
        return Flow.model_validate({**data, "schemaVersion": SCHEMA_VERSION})
    except ValidationError as err:
        raise FlowLoadError(problems_from(err)) from err


def problems_from(err: ValidationError) -> list[FlowProblem]:
    """Turns pydantic's errors into document paths and plain messages."""
    problems = []
    for item in err.errors(include_url=False):
        problems.append(FlowProblem(path=_path(item["loc"]), message=_message(item)))
    return problems


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in _UNION_TAGS and not part.startswith("function-"):
            path += f".{part}" if path else part
    return path


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "union_tag_invalid":
        ctx = item.get("ctx", {})
        return f"unknown type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "has no 'type' field"
    message = str(item["msg"])
    return message.removeprefix("Value error, ")


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
