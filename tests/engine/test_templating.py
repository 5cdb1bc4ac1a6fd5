"""Templating: references keep types when whole, interpolate inside text, and fail by name."""

from collections.abc import Mapping

import pytest

from engine.runtime.errors import TemplateError
from engine.runtime.templating import expressions_in, is_path, resolve, resolve_expressions

SCOPE = {
    "trigger": {"body": {"rows": [{"name": "Ada"}, {"name": "Bob"}], "n": 4, "odd key": True}},
    "step_1": {"sum": 3, "tags": ["a", "b"], "none": None},
}


def test_whole_reference_keeps_its_type() -> None:
    assert resolve("{{trigger.body.rows}}", SCOPE) == [{"name": "Ada"}, {"name": "Bob"}]
    assert resolve("{{ step_1.sum }}", SCOPE) == 3


def test_mixed_text_interpolates_json_for_non_strings() -> None:
    assert resolve(
        "sum={{step_1.sum}} tags={{step_1.tags}} who={{trigger.body.rows[1].name}}", SCOPE
    ) == ('sum=3 tags=["a","b"] who=Bob')


def test_index_and_quoted_keys() -> None:
    assert resolve("{{trigger.body.rows[-1]['name']}}", SCOPE) == "Bob"
    assert resolve('{{trigger.body["odd key"]}}', SCOPE) is True


def test_nested_structures_are_resolved() -> None:
    assert resolve({"a": ["{{step_1.sum}}", {"b": "{{trigger.body.n}}"}], "c": 1}, SCOPE) == {
        "a": [3, {"b": 4}],
        "c": 1,
    }


def test_null_interpolates_as_empty_text() -> None:
    assert resolve("x{{step_1.none}}y", SCOPE) == "xy"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{step_9.sum}}", "{{step_9.sum}}: there is no step named 'step_9'"),
        ("{{step_1.total}}", "{{step_1.total}}: step_1 has no field 'total'"),
        ("{{trigger.body.rows[5]}}", "trigger.body.rows has 2 items, there is no item 5"),
        ("{{step_1.sum.deep}}", "step_1.sum is int, it has no field 'deep'"),
        ("{{step_1.sum + 1}}", "is a JavaScript expression, and none can be evaluated here"),
    ],
)
def test_bad_references_are_errors_that_name_them(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        resolve(template, SCOPE)
    assert message in caught.value.message


def test_expressions_are_the_templates_that_are_not_paths() -> None:
    value = {
        "a": "{{step_1.rows[0]['name']}} and {{ step_1.rows.length > 2 ? 'many' : 'few' }}",
        "b": ["{{trigger.body.x}}", "{{ trigger.body.items.map(i => i.price) }}"],
        "c": 3,
    }
    assert expressions_in(value) == {
        "step_1.rows.length > 2 ? 'many' : 'few'",
        "trigger.body.items.map(i => i.price)",
    }
    assert is_path("step_1.rows[0]['name']")
    assert not is_path("a + b")


async def test_resolve_uses_the_values_of_evaluated_expressions() -> None:
    seen: list[tuple[str, dict[str, object]]] = []

    async def evaluate(expression: str, scope: Mapping[str, object]) -> object:
        seen.append((expression, dict(scope)))
        return 42

    scope = {"step_1": {"n": 41}, "trigger": {"big": "x" * 1000}}
    value = {"whole": "{{ step_1.n + 1 }}", "mixed": "n={{ step_1.n + 1 }}!"}
    evaluated = await resolve_expressions(value, scope, evaluate)
    assert resolve(value, scope, evaluated) == {"whole": 42, "mixed": "n=42!"}
    assert seen == [("step_1.n + 1", {"step_1": {"n": 41}})]  # only the names it reads
