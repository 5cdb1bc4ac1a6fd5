"""New steps from the piece selector's choices."""

from desktop.document.placement import Placement
from desktop.document.step_factory import StepChoice, add_operation, free_name, new_step
from engine.model import RouterStep
from engine.model.operations import apply
from tests.engine.builders import code, flow


def test_router_starts_with_a_branch_and_a_fallback() -> None:
    step = new_step(StepChoice(kind="ROUTER", display_name="Router"), "step_1")
    assert isinstance(step, RouterStep)
    assert [b.branch_type for b in step.branches] == ["CONDITION", "FALLBACK"]


def test_new_steps_take_the_first_free_name_and_apply() -> None:
    base = flow(code("step_1", "x"), code("step_3", "y"))
    name = free_name(base)
    assert name == "step_2"
    step = new_step(StepChoice(kind="CODE", display_name="Code"), name)
    result = apply(base, add_operation(step, Placement(parent="step_1")))
    assert [s.name for s in result.steps] == ["step_1", "step_2", "step_3"]
