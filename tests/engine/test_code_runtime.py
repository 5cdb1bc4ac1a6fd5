"""The Deno code runtime: results, errors, limits, isolation and permissions, with the real binary."""

import asyncio
import http.server
import os
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import CodeExecutionError
from pieces.framework.network import NetworkMode, NetworkPolicy


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64)
    yield runtime
    await runtime.close()


@pytest.fixture
def local_http() -> Iterator[str]:
    """A real HTTP server on loopback that code steps must not reach in STRICT mode."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret")

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


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
    assert result.logs == ("hello { a: 1 }", "oops")


async def test_undefined_result_is_null(runtime: DenoCodeRuntime) -> None:
    assert (await runtime.run("export const code = async () => {}", {})).output is None


async def test_thrown_error_is_reported_with_its_message(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="Error: boom"):
        await runtime.run("export const code = async () => { throw new Error('boom') }", {})


async def test_missing_code_export_says_what_to_write(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="must export a function named code"):
        await runtime.run("export const handler = () => 1", {})


async def test_syntax_error_points_at_the_step_source(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.run("export const code = async () => {{{", {})
    assert "step.ts" in caught.value.message
    assert "pw-code-" not in caught.value.message


async def test_runaway_code_is_stopped_at_the_timeout(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="ran longer than 1 s"):
        await runtime.run("export const code = async () => { while (true) {} }", {}, timeout_s=1)


async def test_heap_cap_stops_memory_hogs(runtime: DenoCodeRuntime) -> None:
    source = "export const code = async () => { const a = []; while (true) a.push(new Array(1e6).fill(1)); }"
    with pytest.raises(CodeExecutionError, match="ran out of memory"):
        await runtime.run(source, {}, timeout_s=30)


async def test_no_state_survives_between_executions(runtime: DenoCodeRuntime) -> None:
    first = "export const code = async () => { globalThis.leak = 'secret'; Array.prototype.evil = 1; return 1 }"
    second = (
        "export const code = async () => ({ leak: globalThis.leak ?? null, evil: [].evil ?? null })"
    )
    await runtime.run(first, {})
    assert (await runtime.run(second, {})).output == {"leak": None, "evil": None}


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
        ("Deno.writeTextFileSync('/tmp/pw-escape.txt', 'x')", "write"),
        ("Deno.env.get('HOME')", "env"),
        ("new Deno.Command('/bin/ls').outputSync()", "run"),
        ("Deno.hostname()", "sys"),
        ("Deno.dlopen('libc.so.6', {})", "ffi"),
    ],
)
async def test_host_access_is_denied(
    runtime: DenoCodeRuntime, expression: str, permission: str
) -> None:
    with pytest.raises(CodeExecutionError, match=f"NotCapable: Requires {permission} access"):
        await runtime.run(f"export const code = async () => {expression}", {})


async def test_private_network_is_denied(runtime: DenoCodeRuntime, local_http: str) -> None:
    for url in (
        local_http,
        local_http.replace("127.0.0.1", "localhost"),
        "http://169.254.169.254/latest",
    ):
        with pytest.raises(CodeExecutionError, match="Requires net access"):
            await runtime.run(f"export const code = async () => (await fetch('{url}')).status", {})


async def test_allow_list_opens_an_exception(tmp_path: Path, local_http: str) -> None:
    runtime = DenoCodeRuntime(
        cache_dir=tmp_path, network=NetworkPolicy(allow_list=("127.0.0.1/32",))
    )
    source = f"export const code = async () => (await fetch('{local_http}')).text()"
    try:
        assert (await runtime.run(source, {})).output == "secret"
    finally:
        await runtime.close()


async def test_unrestricted_mode_lifts_the_block(tmp_path: Path, local_http: str) -> None:
    runtime = DenoCodeRuntime(
        cache_dir=tmp_path, network=NetworkPolicy(mode=NetworkMode.UNRESTRICTED)
    )
    source = f"export const code = async () => (await fetch('{local_http}')).status"
    try:
        assert (await runtime.run(source, {})).output == 200
    finally:
        await runtime.close()


async def test_remote_imports_are_refused(runtime: DenoCodeRuntime) -> None:
    with pytest.raises(CodeExecutionError, match="A remote specifier was requested"):
        await runtime.run(
            "import x from 'https://example.com/x.ts'; export const code = async () => x", {}
        )
