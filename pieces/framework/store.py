"""`ctx.store`: a small key-value store for pieces, per flow or per project, and an in-memory one."""

import json
from enum import StrEnum
from typing import Any, Protocol

from pieces.framework.errors import PieceError

#: Longest key, in characters (DESIGN §4 limits).
MAX_KEY_LENGTH = 128
#: Largest value, as UTF-8 JSON bytes.
MAX_VALUE_BYTES = 512 * 1024


class StoreScope(StrEnum):
    """FLOW keys are private to one flow; PROJECT keys are shared by the project's flows."""

    FLOW = "FLOW"
    PROJECT = "PROJECT"


class StoreError(PieceError):
    """A key or value does not fit the store's limits."""

    code = "STORE_INVALID"


class Store(Protocol):
    """What `ctx.store` offers. Values are JSON; a missing key reads as None."""

    async def get(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        """The value under `key`, or None."""
        ...

    async def put(self, key: str, value: Any, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        """Stores `value` under `key` and returns it."""
        ...

    async def delete(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> None:
        """Removes `key`; a missing key is not an error."""
        ...


def check_key(key: str) -> str:
    """Returns the key if it fits, else raises StoreError saying why."""
    if not isinstance(key, str) or not key:
        raise StoreError("Store key must be non-empty text")
    if len(key) > MAX_KEY_LENGTH:
        raise StoreError(f"Store key is {len(key)} characters long; the limit is {MAX_KEY_LENGTH}")
    return key


def encode_value(value: Any) -> str:
    """The value as JSON text, or StoreError if it is not JSON or is larger than the limit."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as err:
        raise StoreError(f"Store value must be JSON ({err})") from err
    size = len(text.encode())
    if size > MAX_VALUE_BYTES:
        raise StoreError(
            f"Store value is {size // 1024} KB as JSON; the limit is {MAX_VALUE_BYTES // 1024} KB"
        )
    return text


class InMemoryStore:
    """A Store in a dict, for tests and for runs with no server; keys of one flow and project."""

    def __init__(self, *, flow_id: str = "flow", project_id: str = "project") -> None:
        self._owners = {StoreScope.FLOW: f"flow:{flow_id}", StoreScope.PROJECT: project_id}
        self._data: dict[tuple[str, str], str] = {}

    async def get(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        text = self._data.get((self._owners[scope], check_key(key)))
        return None if text is None else json.loads(text)

    async def put(self, key: str, value: Any, *, scope: StoreScope = StoreScope.FLOW) -> Any:
        self._data[(self._owners[scope], check_key(key))] = encode_value(value)
        return value

    async def delete(self, key: str, *, scope: StoreScope = StoreScope.FLOW) -> None:
        self._data.pop((self._owners[scope], check_key(key)), None)
