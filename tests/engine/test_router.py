"""Routers in the executor: first match, all matches, fallback, failures, responses."""

from engine.model import RouterStep, RunStatus, StepStatus
from engine.runtime.executor import FlowExecutor
from tests.engine.builders import (
    branch,
    code,
    fallback,
    flow,
    loop,
    request,
    respond,
    router,
    when,
)

ECHO = "export const code = async (i) => i"
THROW = "export const code = async () => { throw new Error('branch broke') }"


def size_router(*, all_matches: bool = False) -> RouterStep:
    return router(
        "by_size",
        branch(
            "Big",
            code("big", ECHO, n="{{trigger.body.n}}"),
            conditions=[[when("{{trigger.body.n}}", "NUMBER_IS_GREATER_THAN", "10")]],
        ),
        branch(
            "Even",
            code("even", ECHO, n="{{trigger.body.n}}"),
            conditions=[[when("{{trigger.body.even}}", "BOOLEAN_IS_TRUE")]],
        ),
        fallback(code("small", ECHO, n="{{trigger.body.n}}")),
        all_matches=all_matches,
    )


async def test_first_match_runs_only_the_first_matching_branch(executor: FlowExecutor) -> None:
    run = flow(size_router(), code("after", ECHO, big="{{big.n}}"))
    result = await executor.execute(
        run, run_id="r", trigger_payload=request({"n": 12, "even": True})
    )
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "by_size", "big", "after"]
    assert result.steps[1].output == {
        "branches": [
            {"branchName": "Big", "branchIndex": 0, "evaluation": True},
            {"branchName": "Even", "branchIndex": 1, "evaluation": False},
            {"branchName": "Otherwise", "branchIndex": 2, "evaluation": False},
        ]
    }
    assert result.steps[3].output == {"big": 12}


async def test_all_match_runs_every_matching_branch_in_order(executor: FlowExecutor) -> None:
    run = flow(size_router(all_matches=True))
    result = await executor.execute(
        run, run_id="r", trigger_payload=request({"n": 12, "even": True})
    )
    assert result.status == RunStatus.SUCCEEDED
    assert [s.name for s in result.steps] == ["trigger", "by_size", "big", "even"]
    evaluations = [b["evaluation"] for b in result.steps[1].output["branches"]]
    assert evaluations == [True, True, False]


async def test_fallback_runs_when_no_branch_matches(executor: FlowExecutor) -> None:
    for all_matches in (False, True):
        run = flow(size_router(all_matches=all_matches))
        result = await executor.execute(
            run, run_id=f"r-{all_matches}", trigger_payload=request({"n": "3", "even": "false"})
        )
        assert result.status == RunStatus.SUCCEEDED
        assert [s.name for s in result.steps] == ["trigger", "by_size", "small"]
        assert result.steps[1].output["branches"][2]["evaluation"] is True


async def test_conditions_are_an_or_of_and_groups(executor: FlowExecutor) -> None:
    conditions = [
        [when("{{trigger.body.a}}", "EXISTS"), when("{{trigger.body.b}}", "EXISTS")],
        [when("{{trigger.body.c}}", "TEXT_CONTAINS", "YES")],
    ]
    run = flow(router("pick", branch("Hit", code("hit", ECHO), conditions=conditions), fallback()))
    only_a = await executor.execute(run, run_id="r", trigger_payload=request({"a": 1}))
    assert [s.name for s in only_a.steps] == ["trigger", "pick"]
    with_c = await executor.execute(run, run_id="r2", trigger_payload=request({"c": "oh yes"}))
    assert [s.name for s in with_c.steps] == ["trigger", "pick", "hit"]


async def test_invalid_condition_operand_fails_the_router_naming_the_branch(
    executor: FlowExecutor,
) -> None:
    result = await executor.execute(
        flow(size_router()), run_id="r", trigger_payload=request({"n": "lots"})
    )
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "by_size"
    assert result.steps[1].status == StepStatus.FAILED
    assert (
        "router 'by_size', branch 'Big': NUMBER_IS_GREATER_THAN compares numbers, "
        "but the first value 'lots' is not a number"
    ) in (result.error_message or "")


async def test_failing_step_inside_a_branch_fails_the_run(executor: FlowExecutor) -> None:
    run = flow(
        router("pick", fallback(code("boom", THROW), code("never", ECHO))),
        code("after", ECHO),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.FAILED
    assert result.failed_step == "boom"
    assert [s.name for s in result.steps] == ["trigger", "pick", "boom"]


async def test_continue_on_failure_inside_a_branch_goes_on_after_the_router(
    executor: FlowExecutor,
) -> None:
    run = flow(router("pick", fallback(code("boom", THROW, go_on=True))), code("after", ECHO))
    result = await executor.execute(run, run_id="r", trigger_payload=request({}))
    assert result.status == RunStatus.SUCCEEDED
    assert [s.status for s in result.steps[2:]] == [StepStatus.FAILED, StepStatus.SUCCEEDED]


async def test_return_response_inside_a_branch_answers_and_the_run_goes_on(
    executor: FlowExecutor,
) -> None:
    run = flow(
        router(
            "pick",
            branch(
                "Ping",
                respond("pong", body={"reply": "pong"}, status=201),
                conditions=[[when("{{trigger.body.msg}}", "TEXT_EXACTLY_MATCHES", "PING")]],
            ),
            fallback(respond("other", body={"reply": "?"})),
        ),
        code("after", ECHO),
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"msg": "ping"}))
    assert result.status == RunStatus.SUCCEEDED
    assert result.response is not None
    assert (result.response.status, result.response.body) == (201, {"reply": "pong"})
    assert [s.name for s in result.steps] == ["trigger", "pick", "pong", "after"]


async def test_router_inside_a_loop_records_branch_steps_per_iteration(
    executor: FlowExecutor,
) -> None:
    run = flow(
        loop(
            "each",
            "{{trigger.body.rows}}",
            router(
                "pick",
                branch(
                    "Odd",
                    code("odd", ECHO, n="{{each.item}}"),
                    conditions=[[when("{{each.item}}", "LIST_CONTAINS", "1")]],
                ),
                fallback(code("rest", ECHO, n="{{each.item}}")),
            ),
        )
    )
    result = await executor.execute(run, run_id="r", trigger_payload=request({"rows": [[1], [2]]}))
    assert result.status == RunStatus.SUCCEEDED
    iterations = result.steps[1].output["iterations"]
    assert [sorted(it) for it in iterations] == [["odd", "pick"], ["pick", "rest"]]
