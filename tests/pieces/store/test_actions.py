"""Storage: put/get/delete/append/increment through one store, scopes and limits."""

import pytest

from pieces.framework import InMemoryStore, PieceError, PropsValidationError, StoreError
from pieces.framework.testing import run_action
from pieces.store.actions.append import append
from pieces.store.actions.delete import delete
from pieces.store.actions.get import get
from pieces.store.actions.increment import increment
from pieces.store.actions.put import put


async def test_put_get_delete_round_trip() -> None:
    store = InMemoryStore()
    assert (await run_action(put, {"key": "k", "value": {"a": 1}}, store=store)).output == {"a": 1}
    assert (await run_action(get, {"key": "k"}, store=store)).output == {"a": 1}
    deleted = await run_action(delete, {"key": "k"}, store=store)
    assert deleted.output == {"key": "k", "deleted": True}
    again = await run_action(delete, {"key": "k"}, store=store)
    assert again.output == {"key": "k", "deleted": False}
    missing = await run_action(get, {"key": "k", "defaultValue": "none"}, store=store)
    assert missing.output == "none"


async def test_project_scope_is_separate_from_flow_scope() -> None:
    store = InMemoryStore()
    await run_action(put, {"key": "k", "value": 1, "scope": "PROJECT"}, store=store)
    assert (await run_action(get, {"key": "k"}, store=store)).output is None
    assert (await run_action(get, {"key": "k", "scope": "PROJECT"}, store=store)).output == 1
    with pytest.raises(PropsValidationError, match="Scope 'RUN' is not one of"):
        await run_action(get, {"key": "k", "scope": "RUN"}, store=store)


async def test_append_builds_a_list_and_refuses_other_values() -> None:
    store = InMemoryStore()
    await run_action(append, {"key": "l", "value": "a"}, store=store)
    assert (await run_action(append, {"key": "l", "value": 2}, store=store)).output == ["a", 2]
    await run_action(put, {"key": "s", "value": "text"}, store=store)
    with pytest.raises(PieceError, match="holds str, not a list"):
        await run_action(append, {"key": "s", "value": 1}, store=store)


async def test_increment_counts_from_zero_by_any_amount() -> None:
    store = InMemoryStore()
    assert (await run_action(increment, {"key": "n"}, store=store)).output == 1
    assert (await run_action(increment, {"key": "n", "value": "-3"}, store=store)).output == -2
    await run_action(put, {"key": "b", "value": True}, store=store)
    with pytest.raises(PieceError, match="holds bool, not a number"):
        await run_action(increment, {"key": "b"}, store=store)


async def test_key_too_long_is_a_field_error_and_value_too_big_is_clear() -> None:
    with pytest.raises(PropsValidationError) as caught:
        await run_action(put, {"key": "k" * 129, "value": 1})
    assert caught.value.errors == {"key": "Key must be at most 128 long, got 129"}
    with pytest.raises(StoreError, match="the limit is 512 KB"):
        await run_action(put, {"key": "k", "value": "x" * (512 * 1024)})
