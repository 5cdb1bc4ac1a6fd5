"""`{{ }}` JavaScript expressions evaluated by the code runtime: values, scope, errors, isolation."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_contexts import CodeIsolation
from engine.runtime.errors import CodeExecutionError

SCOPE: dict[str, Any] = {
    "trigger": {"body": {"items": [{"price": 2.5}, {"price": 4}], "name": "żółw"}},
    "step_1": {"name": "ada", "tags": ["a", "b"]},
}


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64)
    yield runtime
    await runtime.close()


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("trigger.body.items.map(i => i.price).reduce((a, b) => a + b, 0)", 6.5),
        ("step_1.name.toUpperCase()", "ADA"),
        ("trigger.body.name.length", 4),
        ("step_1.tags.includes('b') ? {ok: true} : null", {"ok": True}),
        ("`${step_1.name}-${step_1.tags.join('+')}`", "ada-a+b"),
        ("[1, 2, 3].filter(n => n > 1)", [2, 3]),
        ("undefined", None),
        ("new Date(0).toISOString()", "1970-01-01T00:00:00.000Z"),
        ("Promise.resolve(step_1.name)", "ada"),
    ],
)
async def test_expressions_return_their_json_value(
    runtime: DenoCodeRuntime, expression: str, value: Any
) -> None:
    assert await runtime.evaluate(expression, SCOPE) == value


async def test_keys_that_are_not_identifiers_are_left_out(runtime: DenoCodeRuntime) -> None:
    scope = {"a": 1, "not-a-name": 2, "default": 3, "$b": 4}
    assert await runtime.evaluate("typeof a + typeof $b", scope) == "numbernumber"
    with pytest.raises(CodeExecutionError, match="SyntaxError"):
        await runtime.evaluate("default", scope)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "step_1.missing.name",
            "Expression `step_1.missing.name` failed: TypeError: Cannot read properties of undefined (reading 'name')",
        ),
        ("step_1.name +", "Expression `step_1.name +` failed: SyntaxError: Unexpected token ')'"),
        (
            "nope.x",
            "Expression `nope.x` failed: ReferenceError: nope is not defined",
        ),
        (
            "(() => { throw new Error('custom') })()",
            "Expression `(() => { throw new Error('custom') })()` failed: Error: custom",
        ),
        ("() => 1", "Expression `() => 1` failed: The result is a function, which is not JSON"),
        ("10n", "Expression `10n` failed: TypeError: Do not know how to serialize a BigInt"),
        ("fetch('http://example.com')", "ReferenceError: fetch is not defined"),
        ("Deno.env.get('HOME')", "ReferenceError: Deno is not defined"),
        ("new Promise(() => {})", "It returned a promise that never settles"),
    ],
)
async def test_failures_quote_the_expression_and_the_js_error(
    runtime: DenoCodeRuntime, expression: str, message: str
) -> None:
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.evaluate(expression, SCOPE)
    assert message in caught.value.message


async def test_a_runaway_expression_is_stopped_at_its_timeout(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.evaluate("(() => { while (true) {} })()", {}, timeout_s=0.2)
    assert caught.value.message.startswith("Expression `(() => { while (true) {} })()` failed:")
    assert "ran longer than 0.2 s" in caught.value.message
    assert await runtime.evaluate("1 + 1", {}) == 2


async def test_evaluations_share_nothing(runtime: DenoCodeRuntime) -> None:
    await runtime.evaluate("(globalThis.leak = step_1.name, Array.prototype.evil = 1)", SCOPE)
    assert await runtime.evaluate("[typeof leak, [].evil ?? null]", {}) == ["undefined", None]
    values = await asyncio.gather(
        *(runtime.evaluate("(globalThis.seen ??= n, seen)", {"n": n}) for n in range(20))
    )
    assert values == list(range(20))


async def test_long_expressions_are_shortened_in_messages(runtime: DenoCodeRuntime) -> None:
    expression = "x." + "a" * 300
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.evaluate(expression, {})
    assert "…` failed: ReferenceError: x is not defined" in caught.value.message


async def test_expressions_use_contexts_even_in_process_isolation(tmp_path: Path) -> None:
    runtime = DenoCodeRuntime(cache_dir=tmp_path, isolation=CodeIsolation.PROCESS, pool_size=1)
    try:
        assert await runtime.evaluate("step_1.tags.length", SCOPE) == 2
        assert runtime.pool.ready_pids() == []
    finally:
        await runtime.close()


async def test_only_the_values_an_expression_names_are_sent(runtime: DenoCodeRuntime) -> None:
    # 60 MB would not fit in the 64 MB heap of this runtime if it were sent.
    scope = {"big": "x" * 60_000_000, "step_1": {"name": "ada"}}
    assert await runtime.evaluate("step_1.name", scope) == "ada"
    with pytest.raises(CodeExecutionError, match="ReferenceError: step_1 is not defined"):
        await runtime.evaluate("eval('step' + '_1')", scope)
