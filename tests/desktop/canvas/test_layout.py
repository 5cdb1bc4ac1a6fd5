"""The layout is a pure function: trigger on top, branches side by side, loops framed, a "+" on every edge."""

import time

from desktop.canvas.layout import GAP, NODE_HEIGHT, NODE_WIDTH, layout
from desktop.document.placement import Placement
from engine.model import Flow, iter_steps
from tests.desktop.big_flow import big_flow
from tests.engine.builders import branch, code, fallback, flow, loop, router, when


def sample() -> Flow:
    return flow(
        code("step_1", "x"),
        router(
            "step_2",
            branch("Big", code("step_3", "x"), conditions=[[when("1", "EXISTS")]]),
            fallback(),
        ),
        loop("step_4", "{{trigger.body}}"),
    )


def test_trigger_on_top_and_steps_below_in_order() -> None:
    result = layout(sample())
    trigger, first = result.node("trigger"), result.node("step_1")
    assert trigger is not None
    assert first is not None
    assert first.y == trigger.y + NODE_HEIGHT + GAP
    assert first.x == trigger.x
    assert [n.name for n in result.nodes] == ["trigger", "step_1", "step_2", "step_3", "step_4"]


def test_router_branches_side_by_side_with_names_and_fallback() -> None:
    result = layout(sample())
    labels = [(label.text, label.fallback) for label in result.labels]
    assert labels == [("Big", False), ("Otherwise", True)]
    assert result.labels[0].x < result.labels[1].x
    assert result.labels[0].y == result.labels[1].y
    inside = result.node("step_3")
    assert inside is not None
    assert inside.x + NODE_WIDTH / 2 == result.labels[0].x


def test_every_edge_and_empty_container_has_a_slot() -> None:
    result = layout(sample())
    placements = {slot.placement for slot in result.slots}
    assert Placement(parent="trigger") in placements
    assert Placement(parent="step_2", location="INSIDE_BRANCH", branch_index=1) in placements
    assert Placement(parent="step_4", location="INSIDE_LOOP") in placements
    for name in ("step_1", "step_2", "step_3", "step_4"):
        assert Placement(parent=name) in placements


def test_loop_frame_holds_its_steps() -> None:
    result = layout(flow(loop("step_1", "{{x}}", code("step_2", "x"))))
    frame = result.frames[0]
    inner = result.node("step_2")
    assert inner is not None
    assert frame.x < inner.x
    assert frame.y < inner.y
    assert inner.y + NODE_HEIGHT < frame.y + frame.height


def test_nothing_overlaps() -> None:
    result = layout(big_flow(60))
    boxes = [(n.x, n.y) for n in result.nodes]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1 :]:
            assert abs(x1 - x2) >= NODE_WIDTH or abs(y1 - y2) >= NODE_HEIGHT


def test_two_hundred_steps_lay_out_well_under_300_ms() -> None:
    big = big_flow(200)
    assert len(list(iter_steps(big.steps))) >= 200
    start = time.perf_counter()
    result = layout(big)
    elapsed = time.perf_counter() - start
    assert len(result.nodes) >= 201
    assert elapsed < 0.3
