"""One HTTP client per execution of a run, shared by its piece steps."""

import httpx

from pieces.framework import NetworkPolicy, create_http_client


class RunHttp:
    """Makes the execution's HTTP client on first use (most steps never use it) and closes it
    when the execution ends; making one per step would cost more than a trivial step."""

    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    def client(self, policy: NetworkPolicy) -> httpx.AsyncClient:
        """The execution's client under `policy` (the first caller's policy is kept)."""
        if self._client is None:
            self._client = create_http_client(policy)
        return self._client

    async def aclose(self) -> None:
        """Closes the client if one was made."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
