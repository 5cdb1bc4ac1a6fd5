"""The network policy inside code steps, with real Deno and real local servers.

Deno checks `--deny-net` against the addresses a name resolves to and against every redirect
hop, so the ranges of `pieces.framework.network` (the one source of truth) hold for host names,
redirects and raw TCP alike.
"""

import http.server
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.errors import CodeExecutionError
from pieces.framework.network import NetworkMode, NetworkPolicy

FETCH_STATUS = "export const code = async (inputs) => (await fetch(inputs.url)).status"
FETCH_TEXT = "export const code = async (inputs) => (await fetch(inputs.url)).text()"


def serve(host: str, *, redirect_to: str | None = None) -> tuple[http.server.HTTPServer, str]:
    """Starts an HTTP server on `host` answering "secret", or redirecting every request."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", redirect_to)
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret")

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"


@pytest.fixture
def local_http() -> Iterator[str]:
    """A real HTTP server on loopback that code steps must not reach in STRICT mode."""
    server, url = serve("127.0.0.1")
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def redirecting_http(local_http: str) -> Iterator[str]:
    """A server on 127.0.0.2 (allow-listed in the test) that redirects to the loopback server."""
    try:
        server, url = serve("127.0.0.2", redirect_to=local_http)
    except OSError as err:
        pytest.skip(f"cannot listen on 127.0.0.2 here: {err}")
    yield url
    server.shutdown()
    server.server_close()


def name_for_loopback() -> str:
    """A host name other than localhost that resolves to 127.0.0.1 here (from /etc/hosts)."""
    for name in (socket.gethostname(), "vm", "runsc"):
        try:
            if socket.gethostbyname(name) == "127.0.0.1" and name != "localhost":
                return name
        except OSError:
            continue
    pytest.skip("no host name other than localhost resolves to 127.0.0.1 on this machine")


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[DenoCodeRuntime]:
    runtime = DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64)
    yield runtime
    await runtime.close()


async def runtime_with(tmp_path: Path, policy: NetworkPolicy) -> DenoCodeRuntime:
    return DenoCodeRuntime(cache_dir=tmp_path / "deno", heap_mb=64, network=policy, pool_size=1)


@pytest.mark.parametrize(
    "url",
    [
        "{local}",
        "http://[::1]:{port}/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:{port}/",
        "http://0.0.0.0:{port}/",
        "http://2130706433:{port}/",
    ],
)
async def test_private_addresses_are_denied(
    runtime: DenoCodeRuntime, local_http: str, url: str
) -> None:
    port = local_http.rsplit(":", 1)[1].strip("/")
    target = url.format(local=local_http, port=port)
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.run(FETCH_STATUS, {"url": target})
    assert "Requires net access" in caught.value.message
    assert "PW_SSRF_ALLOW_LIST" in caught.value.message


async def test_a_name_that_resolves_to_loopback_is_denied(
    runtime: DenoCodeRuntime, local_http: str
) -> None:
    url = local_http.replace("127.0.0.1", name_for_loopback())
    with pytest.raises(CodeExecutionError) as caught:
        await runtime.run(FETCH_STATUS, {"url": url})
    assert 'Requires net access to "127.0.0.1:' in caught.value.message


async def test_a_redirect_to_loopback_is_refused(
    tmp_path: Path, redirecting_http: str, local_http: str
) -> None:
    runtime = await runtime_with(tmp_path, NetworkPolicy(allow_list=("127.0.0.2",)))
    try:
        with pytest.raises(CodeExecutionError) as caught:
            await runtime.run(FETCH_TEXT, {"url": redirecting_http})
        port = local_http.rsplit(":", 1)[1].strip("/")
        assert f'Requires net access to "127.0.0.1:{port}"' in caught.value.message
        manual = "export const code = async (inputs) => (await fetch(inputs.url, { redirect: 'manual' })).status"
        assert (await runtime.run(manual, {"url": redirecting_http})).output == 302
    finally:
        await runtime.close()


async def test_raw_tcp_to_loopback_is_denied(runtime: DenoCodeRuntime, local_http: str) -> None:
    port = int(local_http.rsplit(":", 1)[1].strip("/"))
    for host in ("127.0.0.1", "localhost", name_for_loopback()):
        source = f"export const code = async () => {{ const c = await Deno.connect({{ hostname: '{host}', port: {port} }}); c.close(); return 'connected' }}"
        with pytest.raises(CodeExecutionError, match="Requires net access"):
            await runtime.run(source, {})


async def test_allow_list_opens_an_exception(tmp_path: Path, local_http: str) -> None:
    runtime = await runtime_with(tmp_path, NetworkPolicy(allow_list=("127.0.0.1/32",)))
    try:
        assert (await runtime.run(FETCH_TEXT, {"url": local_http})).output == "secret"
        with pytest.raises(CodeExecutionError, match="Requires net access"):
            await runtime.run(FETCH_STATUS, {"url": "http://10.0.0.1/"})
    finally:
        await runtime.close()


async def test_unrestricted_mode_lifts_the_block(tmp_path: Path, local_http: str) -> None:
    runtime = await runtime_with(tmp_path, NetworkPolicy(mode=NetworkMode.UNRESTRICTED))
    try:
        assert (await runtime.run(FETCH_STATUS, {"url": local_http})).output == 200
        url = local_http.replace("127.0.0.1", name_for_loopback())
        assert (await runtime.run(FETCH_TEXT, {"url": url})).output == "secret"
    finally:
        await runtime.close()


async def test_the_deny_list_is_the_shared_network_policy(tmp_path: Path) -> None:
    policy = NetworkPolicy(allow_list=("10.1.0.0/16",))
    runtime = await runtime_with(tmp_path, policy)
    flag = next(arg for arg in runtime.command(tmp_path) if arg.startswith("--deny-net="))
    assert flag == "--deny-net=" + ",".join(policy.denied())
