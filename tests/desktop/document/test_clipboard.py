"""Copied steps paste into another flow with fresh names and references between them rewritten."""

from desktop.document.clipboard import copied, pasted
from engine.model import LoopStep, iter_steps
from tests.engine.builders import code, flow, loop


def test_paste_renames_the_step_and_its_children() -> None:
    source = loop("step_1", "{{trigger.body}}", code("step_2", "x", v="{{step_1.item}}"))
    target = flow(code("step_1", "a"), code("step_2", "b"))
    step = pasted(target, copied(source))
    assert isinstance(step, LoopStep)
    assert [s.name for s in iter_steps([step])] == ["step_3", "step_4"]
    child = step.steps[0]
    assert child.settings.input == {"v": "{{step_3.item}}"}  # type: ignore[union-attr]


def test_other_text_is_not_a_step() -> None:
    assert pasted(flow(), "hello") is None
    assert pasted(flow(), '{"pieceworkStep": {"type": "NOPE"}}') is None
