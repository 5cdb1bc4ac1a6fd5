"""The names and prop keys issue 5 fixes for the core pieces: changing one breaks saved flows."""

import pytest

from pieces.framework import PieceRegistry

REGISTRY = PieceRegistry.discover()

ACTIONS = {
    "webhook": {"return_response"},
    "http": {"send_request"},
    "store": {"put", "get", "delete", "append", "increment"},
    "data_mapper": {"map"},
    "text_helper": {
        "concat",
        "replace",
        "split",
        "find",
        "markdown_to_html",
        "html_to_markdown",
        "strip_html",
        "slugify",
    },
    "math_helper": {"add", "subtract", "multiply", "divide", "modulo", "random_number"},
    "date_helper": {
        "current_date",
        "format_date",
        "add_subtract_date",
        "date_difference",
        "extract_date_parts",
    },
    "csv": {"parse_csv", "unparse_csv"},
    "delay": {"delay_for", "delay_until"},
    "approval": {"wait_for_approval", "create_approval_links"},
    "subflows": {"call_flow", "return_response"},
}

TRIGGERS = {
    "webhook": {"catch_webhook"},
    "subflows": {"callable_flow"},
    "schedule": {
        "every_x_minutes",
        "every_hour",
        "every_day",
        "every_week",
        "every_month",
        "cron_expression",
    },
}

#: (piece, action or trigger) -> prop keys it must have.
PROP_KEYS = {
    ("webhook", "return_response"): {"status", "headers", "body"},
    ("http", "send_request"): {
        "method",
        "url",
        "headers",
        "queryParams",
        "body_type",
        "body",
        "authType",
        "authFields",
        "timeout",
        "failureMode",
    },
    ("store", "put"): {"key", "value", "scope"},
    ("store", "get"): {"key", "scope", "defaultValue"},
    ("store", "delete"): {"key", "scope"},
    ("store", "append"): {"key", "value", "scope"},
    ("store", "increment"): {"key", "value", "scope"},
    ("data_mapper", "map"): {"mapping"},
    ("csv", "parse_csv"): {"csv_text", "has_headers", "delimiter"},
    ("schedule", "cron_expression"): {"cronExpression", "timezone"},
    ("schedule", "every_x_minutes"): {"minutes"},
    ("delay", "delay_for"): {"amount", "unit"},
    ("delay", "delay_until"): {"timestamp"},
    **{("math_helper", name): {"first_number", "second_number"} for name in ACTIONS["math_helper"]},
    **{
        ("text_helper", name): {"text"}
        for name in ACTIONS["text_helper"] - {"concat"}  # concat joins a list: `texts`
    },
}


@pytest.mark.parametrize("name", sorted(ACTIONS.keys() | TRIGGERS.keys()))
def test_piece_has_the_contract_actions_and_triggers(name: str) -> None:
    piece = REGISTRY.latest(name)
    assert {a.name for a in piece.actions} == ACTIONS.get(name, set())
    assert {t.name for t in piece.triggers} == TRIGGERS.get(name, set())


@pytest.mark.parametrize(("piece", "step"), sorted(PROP_KEYS))
def test_step_has_the_contract_prop_keys(piece: str, step: str) -> None:
    found = REGISTRY.latest(piece)
    names = {a.name for a in found.actions}
    props = found.action(step).props if step in names else found.trigger(step).props
    missing = PROP_KEYS[(piece, step)] - props.keys()
    assert not missing, f"{piece}.{step} lacks {sorted(missing)}"
