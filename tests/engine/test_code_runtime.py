"""The Deno code runtime in its default mode: results, errors, limits, isolation and permissions.

The adversarial part: each attempt fails with a clear error and leaves no trace. Steps that use
Deno APIs run in a single-use process, plain ones in a fresh context of a warm process; both are
the default path. Real Deno throughout.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import CodeExecutionError


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64)
    yield runtime
    await runtime.close()


async def test_activepieces_style_code_returns_json(runtime: DenoCodeRuntime) -> None:
    result = await runtime.run(
        "export const code = async (inputs) => ({ n: inputs.n + 1, list: [1, 'a'] });", {"n": 41}
    )
    assert result.output == {"n": 42, "list": [1, "a"]}


async def test_function_declarations_and_typescript_run(runtime: DenoCodeRuntime) -> None:
    source = "interface In { a: number }\nexport async function code(inputs: In): Promise<number> { return inputs.a * 2 }"
    assert (await runtime.run(source, {"a": 21})).output == 42


async def test_console_output_is_captured_not_mixed_with_the_result(
    runtime: DenoCodeRuntime,
) -> None:
    source = "export const code = async () => { console.log('hello', {a: 1}); console.error('oops'); return 'done' }"
    result = await runtime.run(source, {})
    assert result.output == "done"
    assert result.logs == ('hello {"a":1}', "oops")


@pytest.mark.parametrize("uses_deno", [False, True], ids=["context", "process"])
async def test_console_output_is_bounded(runtime: DenoCodeRuntime, uses_deno: bool) -> None:
    marker = "void Deno;" if uses_deno else ""
    source = f"export const code = async () => {{ {marker} for (let i = 0; i < 5000; i++) console.log(i === 0 ? 'x'.repeat(50000) : i); return 1 }}"
    logs = (await runtime.run(source, {})).logs
    assert len(logs) == 1000
    assert logs[0] == "x" * 10000 + "… (cut at 10,000 characters)"
    assert logs[-1] == "999"


async def test_undefined_result_is_null(runtime: DenoCodeRuntime) -> None:
    assert (await runtime.run("export const code = async () => {}", {})).output is None


async def test_thrown_error_is_reported_with_its_message(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="Error: boom"):
        await runtime.run("export const code = async () => { throw new Error('boom') }", {})


async def test_missing_code_export_says_what_to_write(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="must export a function named code"):
        await runtime.run("export const handler = () => 1", {})


async def test_syntax_error_says_what_and_where(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.run("export const code = async () => {\n  return 1 +\n}", {})
    assert caught.value.message == "SyntaxError: Expression expected (line 3, column 1)"


async def test_non_function_export_is_named(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="exports code as a number, not a function"):
        await runtime.run("export const code = 5", {})
    with pytest.raises(CodeExecutionError, match="exports code as a object, not a function"):
        await runtime.run("export const code = { run: () => 1 }", {})


async def test_thrown_error_names_the_line_in_the_users_code(runtime: DenoCodeRuntime) -> None:
    plain = "export const code = async (inputs) => {\n  const x = inputs.none;\n  return x.y;\n}"
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.run(plain, {})
    assert caught.value.message == (
        "TypeError: Cannot read properties of undefined (reading 'y') (line 3 of the code)"
    )
    typed = "type In = { a: number }\n\nexport const code = async (inputs: In) => {\n  throw new RangeError('too big: ' + inputs.a)\n}"
    with pytest.raises(
        CodeExecutionError, match=r"^RangeError: too big: 7 \(line 4 of the code\)$"
    ):
        await runtime.run(typed, {"a": 7})


async def test_async_await_and_promises_work(runtime: DenoCodeRuntime) -> None:
    source = (
        "const twice = async (n) => n * 2;\n"
        "export const code = async (inputs) => {\n"
        "  const all = await Promise.all(inputs.ns.map(twice));\n"
        "  return all.reduce((a, b) => a + b, await twice(0));\n}"
    )
    assert (await runtime.run(source, {"ns": [1, 2, 3]})).output == 12
    timers = "export const code = async () => { await new Promise(r => setTimeout(r, 5)); return 'late' }"
    assert (await runtime.run(timers, {})).output == "late"


async def test_a_function_result_is_not_json(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="The result is a function, which is not JSON"):
        await runtime.run("export const code = async () => () => 1", {})


async def test_runaway_code_is_stopped_at_the_timeout(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="ran longer than 1 s"):
        await runtime.run("export const code = async () => { while (true) {} }", {}, timeout_s=1)


async def test_heap_cap_stops_memory_hogs(runtime: DenoCodeRuntime) -> None:
    source = "export const code = async () => { const a = []; while (true) a.push(new Array(1e6).fill(1)); }"
    with pytest.raises(CodeExecutionError, match="ran out of memory"):
        await runtime.run(source, {}, timeout_s=30)


@pytest.mark.parametrize("uses_deno", [False, True], ids=["context", "process"])
async def test_allocating_2_gb_is_stopped_and_reported(
    runtime: DenoCodeRuntime, uses_deno: bool
) -> None:
    # ArrayBuffers live outside the V8 heap: the OS memory limit is what stops this one.
    marker = "Deno.pid;" if uses_deno else ""
    source = f"export const code = async () => {{ {marker} const b = new Uint8Array(2 * 1024 ** 3); b.fill(1); return b.length }}"
    with pytest.raises(CodeExecutionError, match="ran out of memory"):
        await runtime.run(source, {}, timeout_s=30)
    assert (await runtime.run("export const code = async () => 'still fine'", {})).output == (
        "still fine"
    )


async def test_a_memory_hog_does_not_disturb_concurrent_executions(
    runtime: DenoCodeRuntime,
) -> None:
    await runtime.contexts.wait_ready()
    before = set(runtime.contexts.server_pids())
    hog = "export const code = async () => { const a = []; while (true) a.push(new Array(1e6).fill(1)); }"
    quick = "export const code = async (inputs) => inputs.n * 10"
    results = await asyncio.gather(
        runtime.run(hog, {}, timeout_s=30),
        *(runtime.run(quick, {"n": n}) for n in range(20)),
        return_exceptions=True,
    )
    assert isinstance(results[0], CodeExecutionError)
    assert "ran out of memory" in results[0].message
    assert [getattr(result, "output", result) for result in results[1:]] == [
        n * 10 for n in range(20)
    ]
    await runtime.contexts.wait_ready()
    after = set(runtime.contexts.server_pids())
    assert len(after) == runtime.pool_size
    assert len(after - before) == 1  # the killed process was replaced, the other kept


async def test_a_fork_bomb_of_workers_is_stopped(runtime: DenoCodeRuntime) -> None:
    bomb = (
        "export const code = async () => {\n"
        "  const url = 'data:application/javascript,' + encodeURIComponent("
        "\"for (let i = 0; i < 8; i++) new Worker(import.meta.url, { type: 'module' }); while (true) {}\");\n"
        "  for (let i = 0; i < 10000; i++) new Worker(url, { type: 'module' });\n"
        "  await new Promise(() => {});\n}"
    )
    with pytest.raises(
        CodeExecutionError, match=r"ran out of memory|ran longer than|could not run"
    ):
        await runtime.run(bomb, {}, timeout_s=5)
    assert (await runtime.run("export const code = async () => 2", {})).output == 2


MODULE_STATE = "let count = 0;\nexport const code = async () => ++count"


@pytest.mark.parametrize("uses_deno", [False, True], ids=["context", "process"])
async def test_no_state_survives_between_executions(
    runtime: DenoCodeRuntime, uses_deno: bool
) -> None:
    marker = "void Deno;" if uses_deno else ""
    first = (
        f"export const code = async (inputs) => {{ {marker} globalThis.leak = inputs.secret;"
        " Array.prototype.evil = 1; Object.prototype.polluted = 1; JSON.stringify = () => 'x';"
        " globalThis.tick = setInterval?.(() => {}, 1); return 1 }"
    )
    second = (
        "export const code = async () => { "
        + marker
        + " return { leak: globalThis.leak ?? null, evil: [].evil ?? null,"
        " polluted: ({}).polluted ?? null, json: JSON.stringify([1]), tick: typeof globalThis.tick } }"
    )
    if not uses_deno:
        first = first.replace("globalThis.tick = setInterval?.(() => {}, 1); ", "")
    await runtime.run(first, {"secret": "s3cret"})
    assert (await runtime.run(second, {})).output == {
        "leak": None,
        "evil": None,
        "polluted": None,
        "json": "[1]",
        "tick": "undefined",
    }
    assert (await runtime.run(MODULE_STATE, {})).output == 1
    assert (await runtime.run(MODULE_STATE, {})).output == 1


async def test_concurrent_executions_never_see_each_others_inputs(
    runtime: DenoCodeRuntime,
) -> None:
    keep = "export const code = async (inputs) => { globalThis.kept = inputs.secret; await null; return inputs.secret }"
    spy = "export const code = async () => JSON.stringify(Object.getOwnPropertyNames(globalThis).map(n => [n, String(globalThis[n])]))"
    runs = [runtime.run(keep, {"secret": f"secret-{n}"}) for n in range(10)]
    spies = [runtime.run(spy, {}) for _ in range(10)]
    results = await asyncio.gather(*runs, *spies)
    assert [result.output for result in results[:10]] == [f"secret-{n}" for n in range(10)]
    assert not any("secret-" in result.output for result in results[10:])


async def test_unicode_and_10_mb_payloads_round_trip(runtime: DenoCodeRuntime) -> None:
    text = "żółw 🐢 " * 700_000
    source = (
        "export const code = async (inputs) => ({ text: inputs.text, units: inputs.text.length })"
    )
    result = await runtime.run(source, {"text": text})
    assert result.output == {"text": text, "units": len(text.encode("utf-16-le")) // 2}


async def test_temp_dir_is_usable_and_removed_afterwards(runtime: DenoCodeRuntime) -> None:
    source = (
        "export const code = async () => { const f = new URL('./scratch.txt', import.meta.url);"
        " Deno.writeTextFileSync(f, 'hi'); return { text: Deno.readTextFileSync(f), path: f.pathname } }"
    )
    result = await runtime.run(source, {})
    assert result.output["text"] == "hi"
    assert not await asyncio.to_thread(os.path.exists, result.output["path"])


@pytest.mark.parametrize(
    ("expression", "permission"),
    [
        ("Deno.readTextFileSync('/etc/passwd')", "read"),
        ("Deno.readDirSync(inputs.dataDir).next()", "read"),
        ("Deno.readTextFileSync(inputs.dataDir + '/jwt-secret')", "read"),
        ("Deno.writeTextFileSync('/tmp/pw-escape.txt', 'x')", "write"),
        ("Deno.env.get('HOME')", "env"),
        ("new Deno.Command('/bin/ls').outputSync()", "run"),
        ("Deno.hostname()", "sys"),
        ("Deno.dlopen('libc.so.6', {})", "ffi"),
    ],
)
async def test_host_access_is_denied(
    runtime: DenoCodeRuntime, tmp_path: Path, expression: str, permission: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "jwt-secret").write_text("secret")
    with pytest.raises(CodeExecutionError, match=f"NotCapable: Requires {permission} access"):
        await runtime.run(
            f"export const code = async (inputs) => {expression}", {"dataDir": str(data_dir)}
        )
    assert not await asyncio.to_thread(os.path.exists, "/tmp/pw-escape.txt")


async def test_remote_imports_are_refused(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="A remote specifier was requested"):
        await runtime.run(
            "import x from 'https://example.com/x.ts'; export const code = async () => x", {}
        )
