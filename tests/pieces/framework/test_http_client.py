"""`ctx.http` refuses blocked addresses, by name, by resolution and on redirects."""

import httpx
import pytest

from pieces.framework import (
    BlockedAddressError,
    NetworkMode,
    NetworkPolicy,
    OnDemandHttpClient,
    create_http_client,
)
from pieces.framework.http_client import GuardedTransport
from tests.pieces.local_http import Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))


def _hello(request: Received) -> Reply:
    if request.path == "/to-metadata":
        return Reply(status=302, headers={"Location": "http://169.254.169.254/latest"})
    return Reply.json({"path": request.path})


def test_policy_blocks_private_addresses_unless_allowed() -> None:
    strict = NetworkPolicy()
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.5", "169.254.169.254", "::1", "0.0.0.0"):
        assert strict.blocks_address(address), address
    assert strict.blocks_address("::ffff:127.0.0.1")
    assert not strict.blocks_address("93.184.216.34")
    assert not LOCAL.blocks_address("127.0.0.1")
    assert LOCAL.blocks_address("127.0.0.2")
    assert strict.blocks_host("localhost")
    assert strict.blocks_host("api.localhost.")
    assert not LOCAL.blocks_host("localhost")
    assert not NetworkPolicy(mode=NetworkMode.UNRESTRICTED).blocks_address("10.0.0.1")


async def test_strict_client_refuses_loopback_by_address_and_by_name() -> None:
    with local_http_server(_hello) as server:
        port = server.url.rsplit(":", 1)[1]
        async with create_http_client(NetworkPolicy()) as http:
            with pytest.raises(BlockedAddressError, match="PW_SSRF_ALLOW_LIST"):
                await http.get(f"{server.url}/x")
            with pytest.raises(BlockedAddressError, match="localhost"):
                await http.get(f"http://localhost:{port}/x")
        assert server.received == []


async def test_allow_listed_address_is_reached_but_a_redirect_to_metadata_is_not() -> None:
    with local_http_server(_hello) as server:
        async with create_http_client(LOCAL) as http:
            response = await http.get(f"{server.url}/ok")
            assert response.json() == {"path": "/ok"}
            with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
                await http.get(f"{server.url}/to-metadata")
        assert [r.path for r in server.received] == ["/ok", "/to-metadata"]


async def test_unresolvable_host_is_a_connect_error() -> None:
    async with create_http_client(NetworkPolicy()) as http:
        with pytest.raises(httpx.ConnectError, match="could not resolve host"):
            await http.get("http://no-such-host.invalid/")


async def test_named_host_is_pinned_to_its_checked_address_keeping_the_host_header() -> None:
    loopback = NetworkPolicy(allow_list=("127.0.0.1", "::1"))
    with local_http_server(_hello) as server:
        port = server.url.rsplit(":", 1)[1]
        async with create_http_client(loopback) as http:
            response = await http.get(f"http://localhost:{port}/named")
        assert response.json() == {"path": "/named"}
        assert server.received[0].headers["host"] == f"localhost:{port}"
        assert str(response.url) == f"http://localhost:{port}/named"


async def test_unrestricted_mode_checks_nothing() -> None:
    with local_http_server(_hello) as server:
        async with create_http_client(NetworkPolicy(mode=NetworkMode.UNRESTRICTED)) as http:
            assert (await http.get(f"{server.url}/free")).json() == {"path": "/free"}


async def test_an_unreachable_first_address_falls_back_to_the_next() -> None:
    policy = NetworkPolicy(allow_list=("127.0.0.1", "127.0.0.2"))
    with local_http_server(_hello) as server:
        port = int(server.url.rsplit(":", 1)[1])
        transport = GuardedTransport(policy, httpx.AsyncHTTPTransport())

        async def two_addresses(host: str, port: int) -> list[str]:
            return ["127.0.0.2", "127.0.0.1"]

        transport.check = two_addresses  # type: ignore[method-assign]
        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.get(f"http://service.test:{port}/fallback")
        assert response.json() == {"path": "/fallback"}
        assert server.received[0].headers["host"] == f"service.test:{port}"


async def test_an_on_demand_client_is_made_at_first_use_with_its_policy() -> None:
    unused = OnDemandHttpClient(LOCAL)
    async with unused:
        pass
    assert not unused.made  # a trigger that sends nothing costs no client
    used = OnDemandHttpClient(LOCAL)
    with local_http_server(_hello) as server:
        async with used as http:
            assert (await http.get(f"{server.url}/hi")).json() == {"path": "/hi"}
            with pytest.raises(BlockedAddressError):
                await http.get(f"{server.url}/to-metadata")  # the policy holds on redirects
        assert used.made
        with pytest.raises(RuntimeError, match="closed"):
            await used.get(f"{server.url}/hi")  # closed on exit
