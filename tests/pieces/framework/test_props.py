"""Prop validation: conversions, defaults and one message per wrong field."""

import pytest

from pieces.framework import (
    Array,
    Checkbox,
    Custom,
    DateTime,
    Dropdown,
    DropdownState,
    DynamicProperties,
    File,
    Json,
    LongText,
    Markdown,
    MarkdownVariant,
    MultiSelectDropdown,
    Number,
    Object,
    Option,
    OptionsRequest,
    Prop,
    PropsValidationError,
    ShortText,
    StaticDropdown,
    StaticMultiSelectDropdown,
    validate_input,
    validate_props,
    validators,
)
from pieces.framework.props import load_options

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


def test_text_props_write_numbers_as_text_and_refuse_objects() -> None:
    props = {"t": ShortText(display_name="T"), "l": LongText(display_name="L")}
    assert validate_props(props, {"t": 3, "l": True}) == {"t": "3", "l": "true"}
    with pytest.raises(PropsValidationError) as caught:
        validate_props(props, {"t": {"a": 1}, "l": [1]})
    assert caught.value.errors == {
        "t": "T expected text, got an object",
        "l": "L expected text, got a list",
    }


def test_number_refuses_booleans_and_non_finite_values() -> None:
    props = {"n": Number(display_name="N")}
    for bad, message in (
        (True, "N expected a number, got a boolean"),
        ("nan", "N expected a finite number, got 'nan'"),
        ([1], "N expected a number, got a list"),
    ):
        with pytest.raises(PropsValidationError) as caught:
            validate_props(props, {"n": bad})
        assert caught.value.errors == {"n": message}
    assert validate_props(props, {"n": " 2.0 "}) == {"n": 2.0}
    assert validate_props(props, {"n": "12345678901234567891"}) == {"n": 12345678901234567891}
    assert validate_props(props, {"n": "-1e3"}) == {"n": -1000}


def test_checkbox_false_is_a_value_not_a_missing_one() -> None:
    props = {"c": Checkbox(display_name="C", required=True)}
    assert validate_props(props, {"c": False}) == {"c": False}
    assert validate_props(props, {"c": " TRUE "}) == {"c": True}


def test_date_time_accepts_iso_text_and_says_the_expected_form() -> None:
    props = {"d": DateTime(display_name="When")}
    assert validate_props(props, {"d": "2026-01-31T09:00:00Z"}) == {
        "d": "2026-01-31T09:00:00+00:00"
    }
    assert validate_props(props, {"d": "2026-01-31"}) == {"d": "2026-01-31T00:00:00"}
    with pytest.raises(PropsValidationError, match="When expected an ISO 8601 date"):
        validate_props(props, {"d": "31/01/2026"})


def test_object_accepts_json_object_text() -> None:
    props = {"o": Object(display_name="O")}
    assert validate_props(props, {"o": '{"a": 1}'}) == {"o": {"a": 1}}
    with pytest.raises(PropsValidationError, match="O is not a valid JSON object"):
        validate_props(props, {"o": "{a"})


def test_file_accepts_references_and_urls_only() -> None:
    props = {"f": File(display_name="F")}
    assert validate_props(props, {"f": "pw-file://abc/x.txt"}) == {"f": "pw-file://abc/x.txt"}
    assert validate_props(props, {"f": "https://example.com/a.pdf"})["f"].endswith("a.pdf")
    with pytest.raises(PropsValidationError, match="F expected a file reference"):
        validate_props(props, {"f": "/etc/passwd"})


def test_markdown_is_display_only_and_renders_the_webhook_url() -> None:
    note = Markdown(value="Send requests to {{webhookUrl}}", variant=MarkdownVariant.TIP)
    props = {"note": note, "x": ShortText(display_name="X")}
    assert validate_props(props, {"x": "1"}) == {"x": "1"}
    assert note.render(webhook_url="http://h/w") == "Send requests to http://h/w"
    assert note.metadata().variant == "TIP"


def test_static_dropdowns_check_every_choice() -> None:
    options = (Option(label="A", value="a"), Option(label="B", value="b"))
    props = {
        "one": StaticDropdown(display_name="One", options=options),
        "many": StaticMultiSelectDropdown(display_name="Many", options=options),
    }
    assert validate_props(props, {"one": "a", "many": '["a", "b"]'}) == {
        "one": "a",
        "many": ["a", "b"],
    }
    with pytest.raises(PropsValidationError) as caught:
        validate_props(props, {"one": "c", "many": ["a", "z"]})
    assert caught.value.errors == {
        "one": "One 'c' is not one of 'a', 'b'",
        "many": "Many has 'z', not among 'a', 'b'",
    }


def test_array_of_text_converts_items_and_names_the_bad_one() -> None:
    props = {"tags": Array(display_name="Tags")}
    assert validate_props(props, {"tags": ["a", 2]}) == {"tags": ["a", "2"]}
    with pytest.raises(PropsValidationError) as caught:
        validate_props(props, {"tags": ["a", {"b": 1}]})
    assert caught.value.errors == {"tags": "Tags item 2 expected text, got an object"}


def test_array_of_sub_props_validates_each_item() -> None:
    row = {"name": ShortText(display_name="Name", required=True), "age": Number(display_name="Age")}
    props = {"rows": Array(display_name="Rows", items=row)}
    assert validate_props(props, {"rows": [{"name": "x", "age": "3"}]}) == {
        "rows": [{"name": "x", "age": 3}]
    }
    with pytest.raises(PropsValidationError) as caught:
        validate_props(props, {"rows": [{"name": "x"}, {"age": "old"}]})
    assert caught.value.errors == {
        "rows": "Rows item 2: name: Name is required; age: Age expected a number, got 'old'"
    }
    assert set(props["rows"].metadata().properties or {}) == {"name", "age"}


async def test_dropdown_options_come_from_the_loader_with_refreshers_and_search() -> None:
    async def load(request: OptionsRequest) -> DropdownState:
        if request.auth is None:
            return DropdownState(disabled=True, placeholder="Connect your account first")
        names = [f"{request.props['project']}-{n}" for n in ("alpha", "beta")]
        return DropdownState(
            options=tuple(Option(label=n, value=n) for n in names if request.search in n)
        )

    prop = Dropdown(display_name="Board", options=load, refreshers=("project",), searchable=True)
    state = await load_options(prop, auth=None, props={})
    assert state.disabled
    assert state.placeholder == "Connect your account first"
    state = await load_options(prop, auth="key", props={"project": "p"}, search="be")
    assert [o.value for o in state.options] == ["p-beta"]
    schema = prop.metadata()
    assert (schema.refreshers, schema.searchable) == (["project"], True)
    with pytest.raises(PropsValidationError, match="Board expected one choice, got a list"):
        validate_props({"b": prop}, {"b": ["x"]})
    multi = MultiSelectDropdown(display_name="Boards", options=load)
    assert validate_props({"m": multi}, {"m": ["x", "y"]}) == {"m": ["x", "y"]}


async def test_dynamic_properties_validate_against_the_built_props() -> None:
    async def build(request: OptionsRequest) -> dict[str, Prop]:
        return {col: Number(display_name=col, required=True) for col in request.props["columns"]}

    prop = DynamicProperties(display_name="Row", props=build, refreshers=("columns",))
    value = validate_props({"row": prop}, {"row": {"a": "1"}})["row"]
    request = OptionsRequest(auth=None, props={"columns": ["a", "b"]})
    with pytest.raises(PropsValidationError) as caught:
        await prop.resolve(value, request=request)
    assert caught.value.errors == {"b": "b is required"}
    assert await prop.resolve({"a": "1", "b": 2, "stale": 3}, request=request) == {"a": 1, "b": 2}
    with pytest.raises(PropsValidationError, match="Row expected an object of fields"):
        validate_props({"row": prop}, {"row": [1]})


def test_custom_validators_run_after_conversion() -> None:
    props = {
        "port": Number(
            display_name="Port", validators=(validators.min_value(1), validators.max_value(65535))
        ),
        "mail": ShortText(display_name="Mail", validators=(validators.email,)),
        "site": ShortText(display_name="Site", validators=(validators.url(),)),
        "code": Custom(display_name="Code", validators=(validators.max_length(3),)),
    }
    ok = {"port": "80", "mail": "a@b.co", "site": "https://x.org", "code": [1, 2]}
    assert validate_props(props, ok)["port"] == 80
    with pytest.raises(PropsValidationError) as caught:
        validate_props(props, {"port": 0, "mail": "nope", "site": "ftp://x", "code": "abcd"})
    assert caught.value.errors == {
        "port": "Port must be at least 1, got 0",
        "mail": "Mail must be an e-mail address, got 'nope'",
        "site": "Site must be an http(s) URL, got 'ftp://x'",
        "code": "Code must be at most 3 long, got 4",
    }


async def test_validate_input_resolves_dynamic_groups_and_names_their_errors() -> None:
    async def build(request: OptionsRequest) -> dict[str, Prop]:
        if request.props["mode"] == "pair":
            return {"left": Number(display_name="Left", required=True)}
        return {}

    props = {
        "mode": ShortText(display_name="Mode", default="none"),
        "fields": DynamicProperties(display_name="Fields", props=build, refreshers=("mode",)),
    }
    assert await validate_input(props, {"mode": "pair", "fields": {"left": "2"}}) == {
        "mode": "pair",
        "fields": {"left": 2},
    }
    assert await validate_input(props, {"fields": {"left": "x"}}) == {"mode": "none", "fields": {}}
    with pytest.raises(PropsValidationError) as caught:
        await validate_input(props, {"mode": "pair", "fields": {}})
    assert caught.value.errors == {"fields": "Fields: left: Left is required"}
