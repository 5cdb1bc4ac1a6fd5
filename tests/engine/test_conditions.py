"""Condition operators: every one, with text case, numbers from strings, dates, lists."""

from typing import Any

import pytest

from engine.model import ConditionOperator
from engine.runtime.conditions import ConditionError, branch_matches, condition_holds, evaluate
from engine.runtime.errors import TemplateError
from tests.engine.builders import when

CASES: list[tuple[str, Any, Any, bool]] = [
    ("TEXT_CONTAINS", "Hello World", "world", True),
    ("TEXT_CONTAINS", "Hello", "bye", False),
    ("TEXT_DOES_NOT_CONTAIN", "Hello", "bye", True),
    ("TEXT_DOES_NOT_CONTAIN", "Hello", "ELL", False),
    ("TEXT_EXACTLY_MATCHES", "Done", "done", True),
    ("TEXT_EXACTLY_MATCHES", "Done", "done!", False),
    ("TEXT_DOES_NOT_EXACTLY_MATCH", "Done", "open", True),
    ("TEXT_DOES_NOT_EXACTLY_MATCH", "Done", "DONE", False),
    ("TEXT_START_WITH", "Invoice 42", "invoice", True),
    ("TEXT_START_WITH", "Invoice 42", "42", False),
    ("TEXT_DOES_NOT_START_WITH", "Invoice 42", "Bill", True),
    ("TEXT_DOES_NOT_START_WITH", "Invoice 42", "INV", False),
    ("TEXT_ENDS_WITH", "report.PDF", ".pdf", True),
    ("TEXT_ENDS_WITH", "report.pdf", ".doc", False),
    ("TEXT_DOES_NOT_END_WITH", "report.pdf", ".doc", True),
    ("TEXT_DOES_NOT_END_WITH", "report.pdf", "PDF", False),
    ("TEXT_CONTAINS", 12345, "234", True),
    ("NUMBER_IS_GREATER_THAN", "11", "10", True),
    ("NUMBER_IS_GREATER_THAN", 10, 10, False),
    ("NUMBER_IS_LESS_THAN", " 2.5 ", 3, True),
    ("NUMBER_IS_LESS_THAN", 3, "2", False),
    ("NUMBER_IS_EQUAL_TO", "1e3", 1000, True),
    ("NUMBER_IS_EQUAL_TO", 1, "2", False),
    ("BOOLEAN_IS_TRUE", True, None, True),
    ("BOOLEAN_IS_TRUE", "TRUE", None, True),
    ("BOOLEAN_IS_TRUE", "false", None, False),
    ("BOOLEAN_IS_FALSE", False, None, True),
    ("BOOLEAN_IS_FALSE", 1, None, False),
    ("DATE_IS_BEFORE", "2024-01-01", "2024-01-02T00:00:00Z", True),
    ("DATE_IS_BEFORE", "2024-01-03", "2024-01-02", False),
    ("DATE_IS_EQUAL", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z", True),
    ("DATE_IS_EQUAL", 1704067200, "2024-01-01T00:00:00Z", True),
    ("DATE_IS_EQUAL", 1704067200000, "1704067200", True),
    ("DATE_IS_EQUAL", "2024-01-01", "2024-01-02", False),
    ("DATE_IS_AFTER", "2024-06-01T12:00:00Z", 1704067200, True),
    ("DATE_IS_AFTER", "2023-06-01", "2024-01-01", False),
    ("LIST_CONTAINS", ["a", "B"], "b", True),
    ("LIST_CONTAINS", [1, 2], "2", True),
    ("LIST_CONTAINS", '["x", "y"]', "y", True),
    ("LIST_CONTAINS", ["a"], "z", False),
    ("LIST_DOES_NOT_CONTAIN", ["a"], "z", True),
    ("LIST_DOES_NOT_CONTAIN", ["a"], "A", False),
    ("LIST_IS_EMPTY", [], None, True),
    ("LIST_IS_EMPTY", [0], None, False),
    ("LIST_IS_NOT_EMPTY", [0], None, True),
    ("LIST_IS_NOT_EMPTY", "[]", None, False),
    ("EXISTS", 0, None, True),
    ("EXISTS", "", None, False),
    ("EXISTS", None, None, False),
    ("DOES_NOT_EXIST", None, None, True),
    ("DOES_NOT_EXIST", {"a": 1}, None, False),
]


@pytest.mark.parametrize(("operator", "first", "second", "expected"), CASES)
def test_operator_compares_operands(operator: str, first: Any, second: Any, expected: bool) -> None:
    assert evaluate(when(first, operator, second), first, second) is expected


def test_every_operator_is_covered() -> None:
    assert {case[0] for case in CASES} == set(ConditionOperator)


@pytest.mark.parametrize(
    ("operator", "first", "second"),
    [
        ("TEXT_EXACTLY_MATCHES", "Done", "done"),
        ("TEXT_CONTAINS", "Hello", "hello"),
        ("TEXT_START_WITH", "Hello", "hello"),
        ("TEXT_ENDS_WITH", "Hello", "LLO"),
        ("LIST_CONTAINS", ["A"], "a"),
    ],
)
def test_case_sensitive_text_operators_honour_case(operator: str, first: Any, second: Any) -> None:
    assert evaluate(when(first, operator, second, case_sensitive=True), first, second) is False
    assert evaluate(when(first, operator, second), first, second) is True


@pytest.mark.parametrize(
    ("operator", "first", "second", "message"),
    [
        ("NUMBER_IS_GREATER_THAN", "ten", 1, "the first value 'ten' is not a number"),
        ("NUMBER_IS_EQUAL_TO", 1, None, "the second value nothing is not a number"),
        ("NUMBER_IS_LESS_THAN", True, 1, "the first value 'true' is not a number"),
        ("DATE_IS_AFTER", "yesterday", "2024-01-01", "'yesterday' is not a date; use an ISO"),
        ("BOOLEAN_IS_TRUE", "yes", None, "needs true or false, but the first value 'yes'"),
        ("LIST_IS_EMPTY", {"a": 1}, None, "needs a list, but the first value"),
        ("LIST_CONTAINS", "abc", "a", "LIST_CONTAINS needs a list"),
    ],
)
def test_invalid_operands_raise_a_clear_error(
    operator: str, first: Any, second: Any, message: str
) -> None:
    with pytest.raises(ConditionError, match=message):
        evaluate(when(first, operator, second), first, second)


def test_operands_are_resolved_from_step_outputs() -> None:
    scope = {"trigger": {"body": {"n": "12", "tags": ["vip"]}}}
    assert condition_holds(when("{{trigger.body.n}}", "NUMBER_IS_GREATER_THAN", "10"), scope)
    assert condition_holds(when("{{trigger.body.tags}}", "LIST_CONTAINS", "VIP"), scope)


def test_a_missing_reference_does_not_exist_but_fails_other_operators() -> None:
    scope: dict[str, Any] = {"trigger": {"body": {}}}
    assert condition_holds(when("{{trigger.body.x}}", "DOES_NOT_EXIST"), scope)
    assert not condition_holds(when("{{trigger.body.x}}", "EXISTS"), scope)
    with pytest.raises(TemplateError, match="has no field 'x'"):
        condition_holds(when("{{trigger.body.x}}", "TEXT_CONTAINS", "a"), scope)


def test_branch_matches_any_and_group_and_never_when_empty() -> None:
    yes = when("a", "TEXT_CONTAINS", "a")
    no = when("a", "TEXT_CONTAINS", "b")
    assert branch_matches([[no], [yes, yes]], {})
    assert not branch_matches([[yes, no]], {})
    assert not branch_matches([], {})
    assert not branch_matches([[]], {})
