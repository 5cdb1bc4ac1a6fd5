"""`piecework run`: execute a flow file through the engine, with no server."""

import json
from pathlib import Path
from typing import Any

from engine.model import Flow, FlowLoadError, PieceTrigger, load_flow


class FlowFileError(ValueError):
    """The flow file or payload cannot be used; the message names the file and what is wrong."""


def read_flow(path: Path) -> Flow:
    """Reads and validates a flow file.

    Raises:
        FlowFileError: missing, not JSON, or not a valid flow (with the path inside the document).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise FlowFileError(f"{path}: cannot read the file ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise FlowFileError(f"{path}: is not a UTF-8 text file") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise FlowFileError(
            f"{path}: is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from err
    try:
        return load_flow(data)
    except FlowLoadError as err:
        lines = "\n".join(f"  - {problem}" for problem in err.problems)
        raise FlowFileError(f"{path}: is not a valid flow:\n{lines}") from err


def parse_payload(text: str | None) -> Any:
    """The --payload value as JSON.

    Raises:
        FlowFileError: not valid JSON.
    """
    if text is None:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FlowFileError(
            f"--payload is not valid JSON: {err.msg} at column {err.colno}"
        ) from err


def trigger_payload(flow: Flow, payload: Any) -> Any:
    """What the trigger receives: for a webhook, a POST request whose body is the payload."""
    if isinstance(flow.trigger, PieceTrigger) and flow.trigger.settings.piece_name == "webhook":
        return {"method": "POST", "headers": {}, "queryParams": {}, "body": payload}
    return payload


def read_connections(path: Path) -> dict[str, Any]:
    """A JSON object of connection values by external id.

    Raises:
        FlowFileError: unreadable, not JSON, or not an object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise FlowFileError(f"{path}: cannot read the connections file ({err.strerror})") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise FlowFileError(f"{path}: the connections file is not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise FlowFileError(
            f"{path}: the connections file must be a JSON object of external id to value"
        )
    return data
