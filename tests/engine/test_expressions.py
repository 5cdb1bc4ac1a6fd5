"""JavaScript expressions in templates, evaluated by the real Deno runtime."""

from engine.model import RunStatus, StepStatus
from engine.runtime.executor import FlowExecutor
from engine.runtime.templating import REDACTED
from tests.engine.builders import branch, code, fallback, flow, loop, request, router, when

ECHO = "export const code = async (inputs) => inputs"


async def test_expressions_compute_values_that_keep_their_type(executor: FlowExecutor) -> None:
    steps = flow(
        code(
            "totals",
            ECHO,
            total="{{ trigger.body.items.map(i => i.price).reduce((a, b) => a + b, 0) }}",
            label="Order of {{ trigger.body.items.length }} items for {{ trigger.body.name.toUpperCase() }}",
            path="{{trigger.body.name}}",
        )
    )
    payload = request({"name": "ada", "items": [{"price": 2}, {"price": 3.5}]})
    result = await executor.execute(steps, run_id="r", trigger_payload=payload)
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert result.steps[1].output == {
        "total": 5.5,
        "label": "Order of 2 items for ADA",
        "path": "ada",
    }


async def test_loop_items_and_router_conditions_take_expressions(executor: FlowExecutor) -> None:
    steps = flow(
        loop(
            "each",
            "{{ trigger.body.rows.filter(r => r.keep) }}",
            code("seen", ECHO, id="{{each.item.id}}"),
        ),
        router(
            "route",
            branch(
                "Many",
                code("many", ECHO, n="{{ each.iterations.length }}"),
                conditions=[[when("{{ each.iterations.length > 1 }}", "BOOLEAN_IS_TRUE")]],
            ),
            fallback(code("few", ECHO)),
        ),
    )
    rows = [{"id": 1, "keep": True}, {"id": 2, "keep": False}, {"id": 3, "keep": True}]
    result = await executor.execute(steps, run_id="r", trigger_payload=request({"rows": rows}))
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    loop_output = result.steps[1].output
    assert [it["seen"]["output"]["id"] for it in loop_output["iterations"]] == [1, 3]
    assert [s.name for s in result.steps] == ["trigger", "each", "route", "many"]
    assert result.steps[-1].output == {"n": 2}


async def test_a_failing_expression_fails_its_step_naming_it(executor: FlowExecutor) -> None:
    for expression, expected in (
        ("{{ trigger.body.nope.deeper.toString() }}", "Cannot read properties of undefined"),
        ("{{ (() => { while (true) {} })() }}", "ran longer than 2 s"),
        ("{{ trigger.body.a + }}", "Expression"),
    ):
        steps = flow(code("step", ECHO, value=expression))
        result = await executor.execute(
            steps, run_id=f"r-{expression}", trigger_payload=request({"a": 1})
        )
        assert result.status == RunStatus.FAILED, expression
        assert result.steps[-1].status == StepStatus.FAILED
        message = result.steps[-1].error_message or ""
        assert expected.lower() in message.lower(), message
    after = await executor.execute(
        flow(code("ok", ECHO, v="{{ 1 + 1 }}")), run_id="after", trigger_payload=request({})
    )
    assert after.steps[-1].output == {"v": 2}  # the runtime survived


async def test_expressions_reading_connections_are_redacted_in_the_log(
    executor: FlowExecutor,
) -> None:
    steps = flow(
        code("use", ECHO, header="{{ 'Bearer ' + connections['api'].token }}", plain="{{ 2 * 21 }}")
    )
    result = await executor.execute(
        steps,
        run_id="r",
        trigger_payload=request({}),
        connections={"api": {"token": "s3cret"}},
    )
    assert result.status == RunStatus.SUCCEEDED, result.error_message
    assert result.steps[1].output["header"] == "Bearer s3cret"  # the step got it
    assert result.steps[1].input == {"header": REDACTED, "plain": 42}
