"""Activepieces import: real export shapes convert to our format, run, and validate."""

import json
from pathlib import Path
from typing import Any

import pytest

from engine.model import (
    CodeStep,
    FlowLoadError,
    LoopStep,
    PieceStep,
    PieceTrigger,
    RouterStep,
    RunStatus,
    validate,
)
from engine.model.activepieces import (
    is_activepieces_document,
    load_activepieces,
    piece_name,
    piece_version,
)
from engine.model.operations import ImportFlowOperation, apply
from engine.runtime.executor import FlowExecutor
from tests.engine.builders import flow, request

FIXTURES = Path(__file__).parent / "fixtures" / "activepieces"
PIECES = {"webhook": ["catch_webhook", "return_response"]}


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def test_template_with_a_router_converts_branches_and_children_in_order() -> None:
    imported = load_activepieces(fixture("router_template.json"))
    assert imported.display_name == "Route support tickets by priority"
    assert isinstance(imported.trigger, PieceTrigger)
    assert imported.trigger.settings.piece_name == "webhook"
    assert imported.trigger.settings.piece_version == "0.1.0"
    assert [s.name for s in imported.steps] == ["step_1", "step_2", "step_5"]
    router = imported.steps[1]
    assert isinstance(router, RouterStep)
    assert [(b.branch_name, b.branch_type) for b in router.branches] == [
        ("Urgent", "CONDITION"),
        ("Otherwise", "FALLBACK"),
    ]
    assert router.branches[0].conditions[0][0].second_value == "urgent"
    http = router.branches[0].steps[0]
    assert isinstance(http, PieceStep)
    assert (http.settings.piece_name, http.settings.piece_version) == ("http", "0.5.2")
    assert http.settings.error_handling_options.continue_on_failure.value is True
    assert [s.name for s in router.branches[1].steps] == ["step_4"]
    assert [(n.id, n.x, n.y) for n in imported.notes] == [("note1", 320, 40)]


async def test_imported_router_flow_runs(executor: FlowExecutor) -> None:
    imported = load_activepieces(fixture("router_template.json"))
    ticket = {"priority": "Low", "subject": "Printer"}
    result = await executor.execute(imported, run_id="r", trigger_payload=request(ticket))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert [s.name for s in result.steps] == ["trigger", "step_1", "step_2", "step_4", "step_5"]
    assert result.response is not None
    assert result.response.body == {"priority": "low"}


async def test_bare_flow_version_with_nested_loops_converts_and_runs(
    executor: FlowExecutor,
) -> None:
    imported = load_activepieces(fixture("loop_flow.json"))
    outer = imported.steps[0]
    assert isinstance(outer, LoopStep)
    assert outer.settings.items == "{{trigger.body.orders}}"
    inner = outer.steps[0]
    assert isinstance(inner, LoopStep)
    assert [s.name for s in inner.steps] == ["step_3"]
    orders = {
        "orders": [{"lines": [{"qty": 2, "price": 3}, {"qty": 1, "price": 4}]}, {"lines": []}]
    }
    result = await executor.execute(imported, run_id="r", trigger_payload=request(orders))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    first_order = result.steps[1].output["iterations"][0]["step_2"]["output"]
    assert [it["step_3"]["output"] for it in first_order["iterations"]] == [6, 4]
    assert result.steps[2].output == {"orders": 2}


def test_legacy_branch_becomes_a_router_and_unknown_pieces_are_kept() -> None:
    imported = load_activepieces(fixture("legacy_branch_flows.json"))
    router = imported.steps[0]
    assert isinstance(router, RouterStep)
    assert router.settings.execution_type == "EXECUTE_FIRST_MATCH"
    assert len(router.branches[0].conditions) == 2
    slack = router.branches[0].steps[0]
    assert isinstance(slack, PieceStep)
    assert (slack.settings.piece_name, slack.settings.piece_version) == ("slack", "0.7.3")
    assert slack.settings.input["channel"] == "C024BE91L"
    assert isinstance(router.branches[1].steps[0], CodeStep)
    problems = validate(imported, pieces=PIECES)
    assert [(p.step, p.field, p.code) for p in problems] == [
        ("step_2", "settings.pieceName", "UNKNOWN_PIECE")
    ]


def test_import_flow_operation_accepts_activepieces_exports() -> None:
    result = apply(flow(name="Draft"), ImportFlowOperation(request=fixture("loop_flow.json")))
    assert result.display_name == "Sum order lines"
    assert [s.name for s in result.steps] == ["step_1", "step_4"]


def test_our_own_documents_are_not_taken_for_activepieces_exports() -> None:
    assert not is_activepieces_document(flow().model_dump(mode="json"))
    assert is_activepieces_document({"version": fixture("loop_flow.json")})
    assert load_activepieces({"version": fixture("loop_flow.json")}).steps[0].name == "step_1"


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({"flows": []}, "flows", "holds 0 flows"),
        ({"template": {"displayName": "x"}}, "template.trigger", "is required"),
        (
            {
                "trigger": {
                    "type": "PIECE_TRIGGER",
                    "nextAction": {"name": "step_1", "type": "WAIT"},
                }
            },
            "trigger.nextAction.type",
            "unknown Activepieces step type 'WAIT'",
        ),
        (
            {"trigger": {"nextAction": {"name": "Step One", "type": "CODE"}}},
            "trigger.nextAction.name",
            "'Step One' is not a step name",
        ),
    ],
)
def test_unreadable_exports_name_the_path(document: Any, path: str, message: str) -> None:
    with pytest.raises(FlowLoadError) as caught:
        load_activepieces(document)
    assert caught.value.problems[0].path == path
    assert message in caught.value.problems[0].message


def test_piece_names_and_versions_are_normalized() -> None:
    assert piece_name("@activepieces/piece-google-sheets") == "google_sheets"
    assert piece_name("webhook") == "webhook"
    assert piece_name("@acme/custom") == "@acme/custom"
    assert [piece_version(v) for v in ("~0.1.2", "^1.0.0", "0.3.0")] == ["0.1.2", "1.0.0", "0.3.0"]
