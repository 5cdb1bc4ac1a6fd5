"""`piecework run`'s run files: a paused run saved to disk, resumed by `--resume RUN_FILE`.

A run file holds the flow, the run id and the run log; large step outputs sit next to it in
`RUN_FILE.outputs/`. Connection values are never written to it: pass `--connections` again
when resuming.
"""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.model import Flow, FlowLoadError, Model, RunLog, load_flow
from engine.runtime.output_store import DirectoryOutputStore
from engine.runtime.run_store import InMemoryRunStore
from piecework.flow_file import FlowFileError

#: Keys of a full resume payload; any other JSON is the body of one.
_PAYLOAD_KEYS = {"body", "headers", "queryParams"}


class RunFile(Model):
    """What a run file holds."""

    run_id: str
    flow: dict[str, Any]
    log: RunLog


def outputs_dir(path: Path) -> DirectoryOutputStore:
    """Where the run file's offloaded step outputs are kept."""
    return DirectoryOutputStore(path.with_name(path.name + ".outputs"))


def default_path(run_id: str) -> Path:
    """The run file of a run in the current directory."""
    return Path.cwd() / f"piecework-run-{run_id}.json"


def save(path: Path, *, run_id: str, flow: Flow, store: InMemoryRunStore) -> None:
    """Writes the run file atomically (a crash leaves the old one or the new one)."""
    data = RunFile(run_id=run_id, flow=flow.model_dump(mode="json"), log=store.log(run_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(data.model_dump_json(indent=1))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> tuple[RunFile, Flow]:
    """Reads a run file.

    Raises:
        FlowFileError: missing, not JSON, or not a run file (the message says what to do).
    """
    try:
        data = RunFile.model_validate_json(path.read_bytes())
    except OSError as err:
        raise FlowFileError(f"{path}: cannot read the run file ({err.strerror})") from err
    except ValueError as err:
        raise FlowFileError(
            f"{path}: is not a run file written by `piecework run` ({_first_line(err)})"
        ) from err
    try:
        flow = load_flow(data.flow)
    except FlowLoadError as err:
        raise FlowFileError(f"{path}: the flow inside is not valid: {err}") from err
    return data, flow


def parse_resume_payload(text: str | None) -> dict[str, Any]:
    """The --resume-payload value as a `{body, headers, queryParams}` payload.

    A JSON object with only those keys is taken as it is; any other JSON is the body.

    Raises:
        FlowFileError: not valid JSON.
    """
    if text is None:
        return {"body": {}, "headers": {}, "queryParams": {}}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise FlowFileError(
            f"--resume-payload is not valid JSON: {err.msg} at column {err.colno}"
        ) from err
    if isinstance(value, dict) and value and set(value) <= _PAYLOAD_KEYS:
        return {"body": {}, "headers": {}, "queryParams": {}, **value}
    return {"body": value, "headers": {}, "queryParams": {}}


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0]
