"""Data Mapper: the resolved mapping is the output, values keep their types."""

import pytest

from pieces.data_mapper.actions.map import map as map_action
from pieces.framework import PropsValidationError
from pieces.framework.testing import run_action


async def test_mapping_is_the_output_with_types_kept() -> None:
    mapping = {"email": "a@b.co", "items": [1, 2], "count": 2, "nested": {"ok": True}}
    assert (await run_action(map_action, {"mapping": mapping})).output == mapping


async def test_mapping_must_be_an_object() -> None:
    with pytest.raises(PropsValidationError) as caught:
        await run_action(map_action, {"mapping": [1]})
    assert caught.value.errors == {
        "mapping": "Mapping expected an object of keys and values, got a list"
    }
    with pytest.raises(PropsValidationError, match="Mapping is required"):
        await run_action(map_action, {})
