"""Activepieces import: converts Activepieces flow exports (linked `nextAction` chains) to our format."""

import re
from typing import Any, NoReturn

from engine.model.flow import STEP_NAME_PATTERN, Flow
from engine.model.loading import FlowLoadError, FlowProblem, load_flow

#: Activepieces' npm scope for official pieces; our piece names drop it.
_OFFICIAL_PREFIX = "@activepieces/piece-"
_ACTION_TYPES = {"CODE", "PIECE", "LOOP_ON_ITEMS", "ROUTER", "BRANCH"}
_CONDITION_KEYS = ("firstValue", "operator", "secondValue", "caseSensitive")
_ERROR_KEYS = ("continueOnFailure", "retryOnFailure")

JsonObject = dict[str, Any]


def is_activepieces_document(data: object) -> bool:
    """Whether a parsed JSON document looks like an Activepieces export rather than our format.

    It does when it has a template wrapper (`template` / `flows`), or a trigger that chains
    steps with `nextAction` instead of a `steps` list.
    """
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("template"), dict) or isinstance(data.get("flows"), list):
        return True
    if isinstance(data.get("version"), dict) and "trigger" in data["version"]:
        return True
    trigger = data.get("trigger")
    return (
        isinstance(trigger, dict)
        and "steps" not in data
        and ("nextAction" in trigger or "valid" in trigger or "valid" in data)
    )


def load_activepieces(data: object) -> Flow:
    """Converts and validates an Activepieces export.

    Accepts a template (`{template: {...}}` or `{flows: [one flow]}`), a flow with its
    `version`, or a bare flow version. Piece names lose the `@activepieces/piece-` scope
    (`google-sheets` → `google_sheets`) and `~`/`^` version ranges become exact versions; pieces
    Piecework does not have stay PIECE steps with their settings, for validate() to report.

    Raises:
        FlowLoadError: the document is not an Activepieces flow we can read; problems name paths.
    """
    return load_flow(convert_activepieces(data))


def convert_activepieces(data: object) -> JsonObject:
    """The flow document in our format (not yet validated) for an Activepieces export.

    Raises:
        FlowLoadError: the export's shape is not one we know; problems name paths in it.
    """
    version, path = _unwrap(data)
    trigger = version.get("trigger")
    if not isinstance(trigger, dict):
        _fail(f"{path}trigger", "is required: an Activepieces flow starts with its trigger")
    return {
        "displayName": str(version.get("displayName") or "Imported flow"),
        "trigger": _trigger(trigger, f"{path}trigger"),
        "steps": _chain(trigger.get("nextAction"), f"{path}trigger.nextAction"),
        "notes": [_note(n) for n in version.get("notes") or [] if isinstance(n, dict)],
    }


def _unwrap(data: object) -> tuple[JsonObject, str]:
    if not isinstance(data, dict):
        _fail("", "an Activepieces export is a JSON object")
    if isinstance(data.get("template"), dict):
        return data["template"], "template."
    if isinstance(data.get("flows"), list):
        flows = data["flows"]
        if len(flows) != 1 or not isinstance(flows[0], dict):
            _fail("flows", f"holds {len(flows)} flows; import a template with exactly one flow")
        return flows[0], "flows[0]."
    if isinstance(data.get("version"), dict):
        return data["version"], "version."
    return data, ""


def _fail(path: str, message: str) -> NoReturn:
    raise FlowLoadError([FlowProblem(path=path, message=message)])


def piece_name(name: str) -> str:
    """Our name for an Activepieces piece: `@activepieces/piece-google-sheets` → `google_sheets`."""
    short = name.removeprefix(_OFFICIAL_PREFIX)
    return short.replace("-", "_") if re.fullmatch(r"[a-z0-9-]+", short) else short


def piece_version(version: str) -> str:
    """An exact version for an Activepieces range: `~0.1.2` and `^0.1.2` → `0.1.2`."""
    return version.strip().lstrip("~^=v").strip()


def _trigger(trigger: JsonObject, path: str) -> JsonObject:
    settings = trigger.get("settings") or {}
    if trigger.get("type") != "PIECE_TRIGGER" or not settings.get("pieceName"):
        return {"type": "EMPTY", "displayName": str(trigger.get("displayName") or "Select trigger")}
    return {
        "type": "PIECE_TRIGGER",
        "displayName": str(trigger.get("displayName") or ""),
        "settings": {
            "pieceName": piece_name(str(settings["pieceName"])),
            "pieceVersion": piece_version(str(settings.get("pieceVersion") or "")),
            "triggerName": settings.get("triggerName"),
            "input": settings.get("input") or {},
        },
    }


def _chain(action: object, path: str) -> list[JsonObject]:
    steps: list[JsonObject] = []
    while isinstance(action, dict):
        steps.append(_action(action, path))
        action = action.get("nextAction")
        path += ".nextAction"
    if action is not None:
        _fail(path, "must be a step object or null")
    return steps


def _action(action: JsonObject, path: str) -> JsonObject:
    kind = action.get("type")
    if kind not in _ACTION_TYPES:
        _fail(f"{path}.type", f"unknown Activepieces step type {kind!r}")
    name = str(action.get("name") or "")
    if not re.fullmatch(STEP_NAME_PATTERN, name):
        _fail(f"{path}.name", f"{name!r} is not a step name (snake_case, like step_1)")
    step: JsonObject = {
        "name": name,
        "displayName": str(action.get("displayName") or ""),
        "skip": bool(action.get("skip", False)),
    }
    settings = action.get("settings") or {}
    if kind == "CODE":
        return {**step, "type": "CODE", "settings": _code_settings(settings)}
    if kind == "PIECE":
        return {**step, "type": "PIECE", "settings": _piece_settings(settings)}
    if kind == "LOOP_ON_ITEMS":
        return {
            **step,
            "type": "LOOP_ON_ITEMS",
            "settings": {"items": str(settings.get("items") or "")},
            "steps": _chain(action.get("firstLoopAction"), f"{path}.firstLoopAction"),
        }
    if kind == "ROUTER":
        return {**step, "type": "ROUTER", **_router(action, settings, path)}
    return {**step, "type": "ROUTER", **_legacy_branch(action, settings, path)}


def _error_options(settings: JsonObject) -> JsonObject:
    options = settings.get("errorHandlingOptions") or {}
    return {
        key: {"value": bool((options.get(key) or {}).get("value", False))}
        for key in _ERROR_KEYS
        if isinstance(options.get(key), dict)
    }


def _code_settings(settings: JsonObject) -> JsonObject:
    source = settings.get("sourceCode") or {}
    return {
        "sourceCode": {
            "code": str(source.get("code") or ""),
            "packageJson": str(source.get("packageJson") or "{}"),
        },
        "input": settings.get("input") or {},
        "errorHandlingOptions": _error_options(settings),
    }


def _piece_settings(settings: JsonObject) -> JsonObject:
    return {
        "pieceName": piece_name(str(settings.get("pieceName") or "")),
        "pieceVersion": piece_version(str(settings.get("pieceVersion") or "")),
        "actionName": settings.get("actionName"),
        "input": settings.get("input") or {},
        "errorHandlingOptions": _error_options(settings),
    }


def _conditions(groups: object) -> list[list[JsonObject]]:
    if not isinstance(groups, list):
        return []
    return [
        [{k: c[k] for k in _CONDITION_KEYS if k in c} for c in group if isinstance(c, dict)]
        for group in groups
        if isinstance(group, list)
    ]


def _router(action: JsonObject, settings: JsonObject, path: str) -> JsonObject:
    branches = settings.get("branches") or []
    children = action.get("children") or []
    if len(children) > len(branches):
        _fail(f"{path}.children", f"has {len(children)} chains for {len(branches)} branches")
    converted = []
    for index, branch in enumerate(branches):
        fallback = branch.get("branchType") == "FALLBACK"
        chain = children[index] if index < len(children) else None
        converted.append(
            {
                "branchName": str(branch.get("branchName") or f"Branch {index + 1}"),
                "branchType": "FALLBACK" if fallback else "CONDITION",
                "conditions": [] if fallback else _conditions(branch.get("conditions")),
                "steps": _chain(chain, f"{path}.children[{index}]"),
            }
        )
    mode = settings.get("executionType") or "EXECUTE_FIRST_MATCH"
    return {"settings": {"executionType": mode}, "branches": converted}


def _legacy_branch(action: JsonObject, settings: JsonObject, path: str) -> JsonObject:
    """An old BRANCH step becomes a first-match router: its conditions, then a fallback."""
    return {
        "settings": {"executionType": "EXECUTE_FIRST_MATCH"},
        "branches": [
            {
                "branchName": "On success",
                "branchType": "CONDITION",
                "conditions": _conditions(settings.get("conditions")),
                "steps": _chain(action.get("onSuccessAction"), f"{path}.onSuccessAction"),
            },
            {
                "branchName": "Otherwise",
                "branchType": "FALLBACK",
                "conditions": [],
                "steps": _chain(action.get("onFailureAction"), f"{path}.onFailureAction"),
            },
        ],
    }


def _note(note: JsonObject) -> JsonObject:
    position = note.get("position") or {}
    return {
        "id": str(note.get("id") or ""),
        "content": str(note.get("content") or ""),
        "x": position.get("x", 0),
        "y": position.get("y", 0),
    }
