"""The flow document: edits through engine.model.apply, undo and redo, problems, and what gets saved."""

import asyncio

import pytest

from desktop.document import FlowDocument, SaveQueue
from engine.model import Flow, FlowOperationError
from engine.model.operations import (
    AddActionOperation,
    AddActionRequest,
    DeleteActionOperation,
    DeleteActionRequest,
    DocumentOperation,
    apply,
)
from tests.engine.builders import code, flow


def add(name: str, parent: str = "trigger") -> AddActionOperation:
    return AddActionOperation(
        request=AddActionRequest(parent_step=parent, action=code(name, "export const code = 1"))
    )


def test_edit_undo_redo_notify_listeners() -> None:
    document = FlowDocument(flow_id="f", flow=flow())
    seen: list[Flow] = []
    document.subscribe(seen.append)
    document.edit(add("step_1"))
    document.edit(add("step_2", "step_1"))
    assert [s.name for s in document.flow.steps] == ["step_1", "step_2"]
    assert document.undo_label == "add step"
    assert document.undo()
    assert [s.name for s in document.flow.steps] == ["step_1"]
    assert document.redo()
    assert [s.name for s in document.flow.steps] == ["step_1", "step_2"]
    assert document.undo()
    assert document.undo()
    assert not document.undo()
    assert document.flow == flow()
    assert len(seen) == 6


def test_a_new_edit_clears_redo() -> None:
    document = FlowDocument(flow_id="f", flow=flow())
    document.edit(add("step_1"))
    document.undo()
    document.edit(add("step_2"))
    assert not document.redo()
    assert document.redo_label is None


def test_invalid_edit_changes_nothing() -> None:
    document = FlowDocument(flow_id="f", flow=flow(code("step_1", "x")))
    with pytest.raises(FlowOperationError):
        document.edit(add("step_1"))
    assert document.undo_label is None


def test_problems_come_from_validate() -> None:
    document = FlowDocument(flow_id="f", flow=Flow())
    assert "trigger" in document.problems_by_step()
    document.edit(add("step_1"))
    document.set_pieces({"webhook": ["catch_webhook"]})
    assert document.problems_by_step()["trigger"][0].code == "UNCONFIGURED"


async def test_edits_and_undos_reach_the_server_in_order() -> None:
    server_flow = flow()
    sent: list[DocumentOperation] = []

    async def send(operation: DocumentOperation) -> None:
        nonlocal server_flow
        server_flow = apply(server_flow, operation)
        sent.append(operation)

    document = FlowDocument(flow_id="f", flow=flow(), saves=SaveQueue(send))
    document.edit(add("step_1"))
    document.edit(add("step_2", "step_1"))
    document.edit(DeleteActionOperation(request=DeleteActionRequest(names=["step_1"])))
    document.undo()
    document.undo()
    document.redo()
    assert document.saves is not None
    assert await document.saves.drained()
    assert server_flow == document.flow
    assert [op.type for op in sent] == [
        "ADD_ACTION",
        "ADD_ACTION",
        "DELETE_ACTION",
        "ADD_ACTION",
        "DELETE_ACTION",
        "ADD_ACTION",
    ]
    await asyncio.sleep(0)
