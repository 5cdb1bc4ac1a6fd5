"""`ctx.http`: an httpx client that refuses addresses the network policy blocks, redirects included."""

import asyncio
import ipaddress
import socket
import ssl
from functools import cache
from types import TracebackType
from typing import Any, cast

import httpx

from pieces.framework.errors import PieceError
from pieces.framework.network import NetworkMode, NetworkPolicy


class BlockedAddressError(PieceError):
    """A request went to a private, loopback or link-local address in STRICT network mode."""

    code = "NETWORK_BLOCKED"


@cache
def _ssl_context() -> ssl.SSLContext:
    # Building the default context loads the CA bundle (~100 ms); every step's client shares one.
    return ssl.create_default_context()


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request's host (resolved) against the policy, then sends it to that address.

    httpx follows redirects by sending each hop through the transport, so every hop is checked.
    A host that resolves to several addresses is refused if any of them is blocked. The request
    then goes to the checked address (Host header and TLS server name kept), so a DNS answer
    that changes between the check and the connection (rebinding) cannot reach a blocked one.
    """

    def __init__(self, policy: NetworkPolicy, inner: httpx.AsyncBaseTransport) -> None:
        self._policy = policy
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._policy.mode is NetworkMode.UNRESTRICTED:
            return await self._inner.handle_async_request(request)
        host = request.url.host
        addresses = await self.check(host, request.url.port or _default_port(request.url))
        if addresses == [host]:
            return await self._inner.handle_async_request(request)
        for index, address in enumerate(addresses):
            pinned = httpx.Request(
                request.method,
                request.url.copy_with(host=address),
                headers=request.headers,
                stream=request.stream,
                extensions={**request.extensions, "sni_hostname": host},
            )
            try:
                return await self._inner.handle_async_request(pinned)
            except httpx.ConnectError:
                # Nothing was sent yet: try the next address, as happy eyeballs would.
                if index == len(addresses) - 1:
                    raise
        raise AssertionError("unreachable: a host has at least one address")

    async def check(self, host: str, port: int) -> list[str]:
        """The addresses of the host, or BlockedAddressError if it or any of them is blocked."""
        if self._policy.blocks_host(host):
            raise BlockedAddressError(_blocked_message(host, host))
        addresses = await _resolve(host, port)
        for address in addresses:
            if self._policy.blocks_address(address):
                raise BlockedAddressError(_blocked_message(host, address))
        return addresses

    async def aclose(self) -> None:
        await self._inner.aclose()


def create_http_client(
    policy: NetworkPolicy, *, timeout: float = 30.0, follow_redirects: bool = True
) -> httpx.AsyncClient:
    """The client pieces get as `ctx.http`; close it (`async with`) when the step is done.

    Args:
        policy: which addresses are refused.
        timeout: default timeout in seconds; a request may pass its own.
        follow_redirects: default redirect behaviour; a request may pass its own.
    """
    inner = httpx.AsyncHTTPTransport(verify=_ssl_context())
    return httpx.AsyncClient(
        transport=GuardedTransport(policy, inner),
        timeout=timeout,
        follow_redirects=follow_redirects,
    )


class OnDemandHttpClient:
    """Stands for the client `create_http_client(policy)` makes, and makes it at first use.

    Most trigger calls make no request (a webhook's signature check), and a client costs
    ~0.4 ms to make: a server that runs a trigger on every webhook call gives it one of these.
    `async with` it as the client itself: it closes the client on exit, if one was made.
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        self._client: httpx.AsyncClient | None = None

    @property
    def made(self) -> bool:
        """Whether the client was made (something used it)."""
        return self._client is not None

    def __getattr__(self, name: str) -> Any:
        # Only names this class lacks get here: all of the client's.
        if self._client is None:
            self._client = create_http_client(self._policy)
        return getattr(self._client, name)

    async def __aenter__(self) -> httpx.AsyncClient:
        return cast(httpx.AsyncClient, self)

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the client, if one was made."""
        if self._client is not None:
            await self._client.aclose()


async def _resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise httpx.ConnectError(f"could not resolve host {host!r}: {err.strerror}") from err
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _blocked_message(host: str, address: str) -> str:
    where = host if host == address else f"{host} ({address})"
    return (
        f"requests to {where} are blocked: private and local addresses cannot be reached "
        "(PW_NETWORK_MODE=STRICT); add the address to PW_SSRF_ALLOW_LIST to allow it"
    )
