"""Context isolation (PW_CODE_ISOLATION=CONTEXT, the default): escapes and the warm-process pool, real Deno."""

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_contexts import CodeIsolation, DenoContextPool, isolation_from_env
from engine.runtime.errors import CodeExecutionError


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(
        cache_dir=tmp_path / "deno", heap_mb=64, pool_size=2, isolation=CodeIsolation.CONTEXT
    )
    yield runtime
    await runtime.close()


#: Asks a realm for the host's globals without naming them (a step naming `Deno` or `process`
#: runs in a process of its own, not in a context, and these tests are about contexts).
HOST_PROBE = '\'return typeof globalThis["De" + "no"] + typeof globalThis["proc" + "ess"]\''
HOST_PROBE_ONE = '\'return typeof globalThis["De" + "no"]\''


def step(body: str) -> str:
    return f"export const code = async (inputs) => {{ {body} }}"


async def test_many_executions_share_one_warm_process(runtime: DenoCodeRuntime) -> None:
    for n in range(20):
        result = await runtime.run(
            step("console.log('n', inputs.n); return inputs.n * 2"), {"n": n}
        )
        assert result.output == n * 2
        assert result.logs == (f"n {n}",)
    assert len(runtime.contexts.server_pids()) == 2  # the pool size, started ahead of demand
    assert runtime.pool.ready_pids() == []


async def test_globals_and_prototype_patches_do_not_survive(runtime: DenoCodeRuntime) -> None:
    patch = step(
        "globalThis.leak = 'secret'; Array.prototype.evil = 1; Object.prototype.polluted = 1;"
        " Function.prototype.call = null; JSON.parse = () => 'patched'; Promise.prototype.then = null;"
        " return 1"
    )
    await runtime.run(patch, {})
    check = step(
        "return { leak: globalThis.leak ?? null, evil: [].evil ?? null, polluted: ({}).polluted ?? null,"
        " parse: JSON.parse('[1]'), call: typeof Function.prototype.call }"
    )
    assert (await runtime.run(check, {})).output == {
        "leak": None,
        "evil": None,
        "polluted": None,
        "parse": [1],
        "call": "function",
    }


@pytest.mark.parametrize(
    "reach",
    [
        "this.constructor.constructor(HOST_PROBE)()",
        "globalThis.constructor.constructor(HOST_PROBE)()",
        "inputs.constructor.constructor(HOST_PROBE)()",
        "console.log.constructor.constructor(HOST_PROBE)()",
        "(async () => {}).constructor.constructor(HOST_PROBE)()",
        "(() => { try { null.x } catch (e) { return e.constructor.constructor(HOST_PROBE)() } })()",
        "new Function(HOST_PROBE)()",
        "Object.getPrototypeOf(Object.getPrototypeOf(globalThis))?.constructor?.constructor(HOST_PROBE)()",
    ],
)
async def test_the_host_cannot_be_reached_through_constructors(
    runtime: DenoCodeRuntime, reach: str
) -> None:
    probe = reach.replace("HOST_PROBE", HOST_PROBE)
    assert (await runtime.run(step(f"return {probe}"), {"a": 1})).output == "undefinedundefined"


async def test_stack_trace_call_sites_expose_no_host_function(runtime: DenoCodeRuntime) -> None:
    probe = step(
        "let found = [];"
        " Error.prepareStackTrace = (e, sites) => { for (const s of sites) { try {"
        " const f = s.getFunction?.(); const t = s.getThis?.();"
        " for (const v of [f, t]) if (v && v.constructor) found.push(v.constructor.constructor("
        + HOST_PROBE_ONE
        + ")()) } catch {} } return ''; };"
        " new Error('x').stack; return found.filter(x => x !== 'undefined')"
    )
    assert (await runtime.run(probe, {})).output == []


async def test_an_execution_cannot_read_another_executions_inputs(
    runtime: DenoCodeRuntime,
) -> None:
    secret = "s3cr3t-" + "x" * 8
    spy = step(
        "const names = Object.getOwnPropertyNames(globalThis);"
        " const seen = names.map(n => { try { return String(globalThis[n]) } catch { return '' } });"
        " return JSON.stringify([names, seen])"
    )
    keep = step("globalThis.kept = inputs; await null; return inputs.secret.length")
    results = await asyncio.gather(
        runtime.run(keep, {"secret": secret}),
        runtime.run(spy, {}),
        runtime.run(keep, {"secret": secret}),
        runtime.run(spy, {}),
    )
    assert results[0].output == len(secret)
    for spied in (results[1].output, results[3].output):
        assert secret not in spied
        assert "__pw_inputs" not in json.loads(spied)[0]


async def test_runaway_code_is_stopped_and_the_next_execution_runs(
    runtime: DenoCodeRuntime,
) -> None:
    with pytest.raises(CodeExecutionError, match="ran longer than 1 s"):
        await runtime.run(step("while (true) {}"), {}, timeout_s=1)
    with pytest.raises(CodeExecutionError, match="ran longer than 1 s"):
        await runtime.run(step("while (true) { await null }"), {}, timeout_s=1)
    assert (await runtime.run(step("return 5"), {})).output == 5


async def test_memory_hog_kills_only_its_process(runtime: DenoCodeRuntime) -> None:
    hog = step("const a = []; while (true) a.push(new Array(1e6).fill(1));")
    with pytest.raises(CodeExecutionError, match=r"out of memory|could not run"):
        await runtime.run(hog, {}, timeout_s=30)
    assert (await runtime.run(step("return 6"), {})).output == 6


async def test_errors_keep_their_name_and_message(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="TypeError: bad"):
        await runtime.run(step("throw new TypeError('bad')"), {})
    with pytest.raises(CodeExecutionError, match="must export a function named code"):
        await runtime.run("export const handler = () => 1", {})
    with pytest.raises(CodeExecutionError, match="never settles"):
        await runtime.run(step("return new Promise(() => {})"), {})


async def test_steps_a_context_cannot_run_go_to_their_own_process(
    runtime: DenoCodeRuntime,
) -> None:
    typescript = (
        "interface In { a: number }\nexport const code = async (inputs: In) => inputs.a + 1"
    )
    assert (await runtime.run(typescript, {"a": 1})).output == 2
    timers = step("await new Promise(r => setTimeout(r, 1)); return typeof Deno")
    assert (await runtime.run(timers, {})).output == "object"
    with pytest.raises(CodeExecutionError, match="Requires net access"):
        await runtime.run(step("return (await fetch('http://127.0.0.1/')).status"), {})


def test_isolation_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PW_CODE_ISOLATION", raising=False)
    assert isolation_from_env() is CodeIsolation.CONTEXT
    monkeypatch.setenv("PW_CODE_ISOLATION", "process")
    assert isolation_from_env() is CodeIsolation.PROCESS
    monkeypatch.setenv("PW_CODE_ISOLATION", "threads")
    with pytest.raises(ValueError, match="PW_CODE_ISOLATION must be CONTEXT or PROCESS"):
        isolation_from_env()


async def test_big_unicode_payloads_round_trip(runtime: DenoCodeRuntime) -> None:
    text = "żółw 🐢 " * 700_000  # ~10 MB of UTF-8
    result = await runtime.run(
        step("return { text: inputs.text, units: inputs.text.length }"), {"text": text}
    )
    assert result.output == {"text": text, "units": len(text.encode("utf-16-le")) // 2}


async def test_context_servers_run_without_any_permission(runtime: DenoCodeRuntime) -> None:
    await runtime.contexts.wait_ready()
    for pid in runtime.contexts.server_pids():
        args = (await asyncio.to_thread(Path(f"/proc/{pid}/cmdline").read_bytes)).split(b"\0")
        assert not [arg for arg in args if arg.startswith(b"--allow")]
        assert b"--no-prompt" in args


async def test_an_idle_server_that_died_is_replaced(runtime: DenoCodeRuntime) -> None:
    await runtime.contexts.wait_ready()
    pids = runtime.contexts.server_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for _ in range(100):  # until they are reaped: "died while idle", not "dying right now"
        if not any([await asyncio.to_thread(os.path.exists, f"/proc/{pid}") for pid in pids]):
            break
        await asyncio.sleep(0.02)
    results = await asyncio.gather(
        *(runtime.run(step("return inputs.n"), {"n": n}) for n in range(4))
    )
    assert [result.output for result in results] == [0, 1, 2, 3]


async def test_servers_are_replaced_after_serving_their_share(tmp_path: Path) -> None:
    runtime = DenoCodeRuntime(cache_dir=tmp_path, pool_size=1)
    pool = DenoContextPool(
        size=1, command=runtime.context_command, env={"NO_COLOR": "1"}, recycle_after=3
    )
    request = {"kind": "code", "code": step("return inputs.n"), "inputs": json.dumps({"n": 1})}
    seen: set[int] = set()
    try:
        for _ in range(7):
            answer = await pool.execute(request, timeout_s=5)
            assert answer["output"] == 1
            seen.update(pool.server_pids())
        assert len(seen) == 3
    finally:
        await pool.close()
        await runtime.close()


async def test_dynamic_import_is_refused_in_a_context(runtime: DenoCodeRuntime) -> None:
    # Written so the source does not name `import` (which would send the step to a process).
    probe = step(
        'return await new Function("return imp" + "ort(\'data:text/javascript,export default 1\')")()'
    )
    with pytest.raises(CodeExecutionError, match="A dynamic import callback was not specified"):
        await runtime.run(probe, {})


async def test_nothing_of_an_execution_runs_after_it(runtime: DenoCodeRuntime) -> None:
    late = step(
        "const sab = new Int32Array(new SharedArrayBuffer(4));"
        " const w = Atomics.waitAsync(sab, 0, 0, 20); if (w.async) w.value.then(() => { while (true) {} });"
        " return typeof globalThis.FinalizationRegistry"
    )
    assert (await runtime.run(late, {})).output == "undefined"
    garbage = step("const a = []; for (let k = 0; k < 1000; k++) a.push({ k }); return inputs.n")
    for n in range(50):
        assert (await runtime.run(garbage, {"n": n}, timeout_s=5)).output == n
