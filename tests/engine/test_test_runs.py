"""Cutting a flow after the step under test, and the log a test run starts from."""

import pytest

from engine.model import BranchType, Flow, StepStatus
from engine.runtime.test_runs import StepToTestError, flow_up_to, seeded_log
from tests.engine.builders import branch, code, flow, loop, router, when

SOURCE = "export const code = async () => 1"


def sample_flow() -> Flow:
    return flow(
        code("step_1", SOURCE),
        loop("each", "{{trigger.body.items}}", code("in_loop", SOURCE), code("after_in", SOURCE)),
        router(
            "route",
            branch("a", code("in_a", SOURCE), conditions=[[when("x", "TEXT_CONTAINS", "y")]]),
            branch("b", code("in_b", SOURCE), code("in_b2", SOURCE), conditions=[]),
        ),
        code("last", SOURCE),
    )


def test_the_flow_is_cut_after_a_top_level_step() -> None:
    cut = flow_up_to(sample_flow(), "step_1")
    assert [s.name for s in cut.steps] == ["step_1"]


def test_a_step_in_a_loop_keeps_the_loop_up_to_it() -> None:
    cut = flow_up_to(sample_flow(), "in_loop")
    assert [s.name for s in cut.steps] == ["step_1", "each"]
    assert [s.name for s in cut.steps[1].steps] == ["in_loop"]  # type: ignore[union-attr]


def test_a_step_in_a_branch_keeps_only_its_branch_as_the_fallback() -> None:
    cut = flow_up_to(sample_flow(), "in_b")
    route = cut.steps[-1]
    assert route.name == "route"
    assert [(b.branch_name, b.branch_type) for b in route.branches] == [  # type: ignore[union-attr]
        ("b", BranchType.FALLBACK)
    ]
    assert [s.name for s in route.branches[0].steps] == ["in_b"]  # type: ignore[union-attr]


def test_testing_the_trigger_keeps_no_steps_and_unknown_steps_are_refused() -> None:
    assert flow_up_to(sample_flow(), "trigger").steps == []
    with pytest.raises(StepToTestError, match="no step 'ghost'"):
        flow_up_to(sample_flow(), "ghost")


def test_the_seeded_log_records_samples_before_the_step_outside_loops_and_routers() -> None:
    document = sample_flow()
    samples = {
        name: {"from": name}
        for name in ["trigger", "step_1", "each", "in_loop", "route", "in_a", "in_b", "last"]
    }
    log = seeded_log(document, samples, before="in_b2")
    assert [e.name for e in log.entries] == ["trigger", "step_1", "each", "in_a", "in_b"]
    assert {e.status for e in log.entries} == {StepStatus.SUCCEEDED}
    assert log.entries[1].output == {"from": "step_1"}
    # A loop that contains the step under test must run to reach it.
    inside = seeded_log(document, samples, before="in_loop")
    assert [e.name for e in inside.entries] == ["trigger", "step_1"]


def test_no_samples_give_an_empty_log() -> None:
    assert seeded_log(sample_flow(), {}, before="last").entries == []
    assert seeded_log(sample_flow(), {}, before="last").status is None
