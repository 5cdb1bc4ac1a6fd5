"""Loading flow documents: camelCase JSON, step kinds, and errors that name the path."""

import json

import pytest

from engine.model import SCHEMA_VERSION, CodeStep, FlowLoadError, PieceTrigger, load_flow
from tests.conftest import SAMPLES


def test_sample_flow_loads_with_typed_steps() -> None:
    flow = load_flow(json.loads((SAMPLES / "add_numbers_webhook.json").read_text()))
    assert isinstance(flow.trigger, PieceTrigger)
    assert flow.trigger.settings.trigger_name == "catch_webhook"
    assert isinstance(flow.steps[0], CodeStep)
    assert flow.steps[0].settings.input == {"a": "{{trigger.body.a}}", "b": "{{trigger.body.b}}"}


def test_dump_is_camel_case_and_round_trips() -> None:
    flow = load_flow(json.loads((SAMPLES / "add_numbers_webhook.json").read_text()))
    dumped = flow.model_dump(mode="json")
    assert "schemaVersion" in dumped
    assert "sourceCode" in dumped["steps"][0]["settings"]
    assert load_flow(dumped) == flow


def test_missing_version_means_current_schema() -> None:
    assert load_flow({"displayName": "x"}).schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ([], "", "a flow is a JSON object, not a list"),
        (
            {"steps": [{"name": "s", "type": "CODE", "settings": {}}]},
            "steps[0].settings.sourceCode",
            "is required",
        ),
        ({"steps": [{"name": "s", "type": "FOO"}]}, "steps[0]", "unknown type 'FOO'"),
        (
            {"steps": [{"name": "Bad Name", "type": "LOOP_ON_ITEMS"}]},
            "steps[0].name",
            "should match pattern",
        ),
        ({"colour": "red"}, "colour", "is not a known field"),
        ({"schemaVersion": 99}, "schemaVersion", "newer Piecework"),
    ],
)
def test_invalid_documents_name_the_path(document: object, path: str, message: str) -> None:
    with pytest.raises(FlowLoadError) as caught:
        load_flow(document)
    problems = caught.value.problems
    assert any(p.path == path and message in p.message for p in problems), problems


def test_duplicate_step_names_are_rejected_at_any_depth() -> None:
    step = {"name": "dup", "type": "CODE", "settings": {"sourceCode": {"code": "x"}}}
    loop = {"name": "loop", "type": "LOOP_ON_ITEMS", "steps": [step]}
    with pytest.raises(FlowLoadError, match="'dup' is used more than once"):
        load_flow({"steps": [step, loop]})


def test_flow_step_finds_nested_steps() -> None:
    flow = load_flow(
        {
            "steps": [
                {
                    "name": "router",
                    "type": "ROUTER",
                    "branches": [
                        {
                            "branchName": "A",
                            "steps": [
                                {
                                    "name": "inner",
                                    "type": "CODE",
                                    "settings": {"sourceCode": {"code": ""}},
                                }
                            ],
                        },
                        {"branchName": "Otherwise", "branchType": "FALLBACK"},
                    ],
                }
            ]
        }
    )
    found = flow.step("inner")
    assert found is not None
    assert found.type == "CODE"
    assert flow.step("missing") is None
