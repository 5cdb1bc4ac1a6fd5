"""Where large step outputs go: the run log keeps a reference, the data lives in file storage."""

import hashlib
import json
from pathlib import Path
from typing import Any, Protocol

from engine.model import OFFLOADED_KEY
from engine.runtime.errors import EngineError


class OutputMissingError(EngineError):
    """An offloaded output cannot be read back."""

    code = "OUTPUT_MISSING"


class OutputStore(Protocol):
    """File storage for step outputs too large to keep in the run log."""

    async def put(self, run_id: str, path: str, data: bytes) -> str:
        """Stores the data and returns a reference to it."""
        ...

    async def get(self, ref: str) -> bytes:
        """The data stored under a reference (OutputMissingError if there is none)."""
        ...


class InMemoryOutputStore:
    """An OutputStore in a dict."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    async def put(self, run_id: str, path: str, data: bytes) -> str:
        ref = f"{run_id}/{path}"
        self.data[ref] = data
        return ref

    async def get(self, ref: str) -> bytes:
        try:
            return self.data[ref]
        except KeyError:
            raise OutputMissingError(f"The stored output {ref!r} is gone") from None


class DirectoryOutputStore:
    """An OutputStore in a directory: one file per output (`piecework run`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, run_id: str, path: str, data: bytes) -> str:
        name = hashlib.sha256(f"{run_id}/{path}".encode()).hexdigest()[:32] + ".json"
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_bytes(data)
        return name

    async def get(self, ref: str) -> bytes:
        file = self.root / Path(ref).name
        try:
            return file.read_bytes()
        except OSError as err:
            raise OutputMissingError(f"The stored output {ref!r} cannot be read: {err}") from None


def is_offloaded(value: Any) -> bool:
    """Whether a logged output is a reference to file storage."""
    return isinstance(value, dict) and OFFLOADED_KEY in value and len(value) == 2


async def rehydrate(value: Any, outputs: OutputStore) -> Any:
    """The real output behind a logged one (unchanged when it was not offloaded)."""
    if not is_offloaded(value):
        return value
    return json.loads(await outputs.get(str(value[OFFLOADED_KEY])))
