"""Prop validation: conversions, defaults and one message per wrong field."""

import pytest

from pieces.framework import (
    Checkbox,
    Json,
    Number,
    Object,
    PropsValidationError,
    ShortText,
    validate_props,
)

PROPS = {
    "name": ShortText(display_name="Name", required=True),
    "count": Number(display_name="Count", default=1),
    "flag": Checkbox(display_name="Flag", default=False),
    "data": Json(display_name="Data"),
    "map": Object(display_name="Map", default={}),
}


def test_values_are_converted_and_defaults_filled() -> None:
    values = validate_props(PROPS, {"name": "x", "count": "2.5", "flag": "true", "data": "[1, 2]"})
    assert values == {"name": "x", "count": 2.5, "flag": True, "data": [1, 2], "map": {}}


def test_whole_numbers_in_text_become_ints() -> None:
    assert validate_props(PROPS, {"name": "x", "count": "3"})["count"] == 3


def test_every_wrong_field_is_reported() -> None:
    with pytest.raises(PropsValidationError) as caught:
        validate_props(PROPS, {"count": "many", "flag": 3, "data": "{", "map": [], "extra": 1})
    assert caught.value.errors == {
        "name": "Name is required",
        "count": "Count expected a number, got 'many'",
        "flag": "Flag expected true or false, got an int",
        "data": "Data is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
        "map": "Map expected an object of keys and values, got a list",
        "extra": "is not an input of this step",
    }
