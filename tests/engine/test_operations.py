"""Flow operations: the pure apply() shared by server and desktop."""

import pytest

from engine.model import FlowLoadError
from engine.model.operations import (
    ChangeNameOperation,
    ChangeNameRequest,
    ImportFlowOperation,
    apply,
)
from tests.engine.builders import code, flow


def test_import_replaces_the_document_and_leaves_the_input_unchanged() -> None:
    original = flow(name="Old")
    imported = flow(code("step_1", "export const code = async () => 1"), name="New").model_dump(
        mode="json"
    )
    result = apply(original, ImportFlowOperation(request=imported))
    assert result.display_name == "New"
    assert [s.name for s in result.steps] == ["step_1"]
    assert original.steps == []


def test_import_of_an_invalid_document_raises_with_problems() -> None:
    with pytest.raises(FlowLoadError, match="steps"):
        apply(flow(), ImportFlowOperation(request={"steps": "not a list"}))


def test_change_name() -> None:
    renamed = apply(
        flow(name="A"), ChangeNameOperation(request=ChangeNameRequest(display_name="B"))
    )
    assert renamed.display_name == "B"
