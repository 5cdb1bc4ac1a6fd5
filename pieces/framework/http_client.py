"""`ctx.http`: an httpx client that refuses addresses the network policy blocks, redirects included."""

import asyncio
import ipaddress
import socket
import ssl
from functools import cache

import httpx

from pieces.framework.errors import PieceError
from pieces.framework.network import NetworkPolicy


class BlockedAddressError(PieceError):
    """A request went to a private, loopback or link-local address in STRICT network mode."""

    code = "NETWORK_BLOCKED"


@cache
def _ssl_context() -> ssl.SSLContext:
    # Building the default context loads the CA bundle (~100 ms); every step's client shares one.
    return ssl.create_default_context()


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks every request's host (resolved) against the policy, then sends it.

    httpx follows redirects by sending each hop through the transport, so every hop is checked.
    A host that resolves to several addresses is refused if any of them is blocked.
    """

    def __init__(self, policy: NetworkPolicy, inner: httpx.AsyncBaseTransport) -> None:
        self._policy = policy
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.check(request.url.host, request.url.port or _default_port(request.url))
        return await self._inner.handle_async_request(request)

    async def check(self, host: str, port: int) -> None:
        """Raises BlockedAddressError if the host, or any address it resolves to, is blocked."""
        if self._policy.blocks_host(host):
            raise BlockedAddressError(_blocked_message(host, host))
        for address in await _resolve(host, port):
            if self._policy.blocks_address(address):
                raise BlockedAddressError(_blocked_message(host, address))

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
    return sorted({str(info[4][0]) for info in infos})


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _blocked_message(host: str, address: str) -> str:
    where = host if host == address else f"{host} ({address})"
    return (
        f"requests to {where} are blocked: private and local addresses cannot be reached "
        "(PW_NETWORK_MODE=STRICT); add the address to PW_SSRF_ALLOW_LIST to allow it"
    )
