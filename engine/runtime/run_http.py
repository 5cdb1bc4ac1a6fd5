"""One HTTP client per execution of a run, shared by its piece steps."""

from typing import cast

import httpx

from pieces.framework import NetworkPolicy, OnDemandHttpClient


class RunHttp:
    """The execution's HTTP client, made at its first request (most executions send none: a
    client costs ~0.4 ms to make, more than a trivial step), and closed when the execution
    ends; making one per step would cost more still."""

    def __init__(self) -> None:
        self._client: OnDemandHttpClient | None = None

    def client(self, policy: NetworkPolicy) -> httpx.AsyncClient:
        """The execution's client under `policy` (the first caller's policy is kept)."""
        if self._client is None:
            self._client = OnDemandHttpClient(policy)
        return cast(httpx.AsyncClient, self._client)

    async def aclose(self) -> None:
        """Closes the client if one was made."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
