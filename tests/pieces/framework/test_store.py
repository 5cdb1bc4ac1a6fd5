"""The in-memory store: scopes, limits and clear errors."""

import pytest

from pieces.framework import InMemoryStore, StoreError, StoreScope
from pieces.framework.store import MAX_KEY_LENGTH, MAX_VALUE_BYTES


async def test_values_round_trip_and_missing_keys_read_as_none() -> None:
    store = InMemoryStore()
    assert await store.put("k", {"a": [1, 2]}) == {"a": [1, 2]}
    assert await store.get("k") == {"a": [1, 2]}
    await store.delete("k")
    await store.delete("k")
    assert await store.get("k") is None


async def test_flow_scope_is_private_and_project_scope_is_shared() -> None:
    data: InMemoryStore = InMemoryStore(flow_id="f1", project_id="p")
    await data.put("k", "flow value")
    await data.put("k", "project value", scope=StoreScope.PROJECT)
    assert await data.get("k") == "flow value"
    assert await data.get("k", scope=StoreScope.PROJECT) == "project value"


async def test_key_and_value_limits_are_explained() -> None:
    store = InMemoryStore()
    await store.put("k" * MAX_KEY_LENGTH, 1)
    with pytest.raises(StoreError, match="129 characters long; the limit is 128"):
        await store.put("k" * (MAX_KEY_LENGTH + 1), 1)
    with pytest.raises(StoreError, match="the limit is 512 KB"):
        await store.put("big", "x" * MAX_VALUE_BYTES)
    with pytest.raises(StoreError, match="must be JSON"):
        await store.put("set", {1, 2})
    with pytest.raises(StoreError, match="non-empty"):
        await store.get("")
