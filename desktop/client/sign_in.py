"""Signing in to a team server: with email and password, or again with a remembered refresh token."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from desktop.client._http import httpx
from desktop.client.api_client import ApiClient, ApiError, ServerUnavailableError

#: Seconds a sign-in request may take.
SIGN_IN_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A client of the server for the signed-in person, and what to remember of the sign-in."""

    client: ApiClient
    server_url: str
    email: str
    refresh_token: str
    project_id: str


def normalize_url(text: str) -> str:
    """The server's base URL from what a person typed (scheme added, trailing slash and /api/v1 cut).

    Raises:
        ValueError: it is not a web address; the message says what to type.
    """
    text = text.strip()
    if text and "://" not in text:
        text = ("http://" if text.startswith(("localhost", "127.")) else "https://") + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Enter the server's address, for example https://flows.example.com")
    path = parts.path.rstrip("/").removesuffix("/api/v1")
    return f"{parts.scheme}://{parts.netloc}{path}"


async def sign_in(server_url: str, email: str, password: str) -> SignedIn:
    """Signs in with email and password.

    Raises:
        ApiError: the server refused (its message says why) or is not a Piecework server.
        ServerUnavailableError: nothing answers at that address.
    """
    body = await _post(
        server_url, "/authentication/sign-in", {"email": email, "password": password}
    )
    return _signed_in(server_url, body)


async def resume(server_url: str, refresh_token: str) -> SignedIn:
    """Signs in again with a remembered refresh token (no password).

    Raises:
        ApiError: the token expired or was revoked (sign in with the password again).
        ServerUnavailableError: nothing answers at that address.
    """
    body = await _post(server_url, "/authentication/refresh", {"refreshToken": refresh_token})
    return _signed_in(server_url, body)


class TokenRenewer:
    """Renews an expired access token with the refresh token (for `ApiClient.renew_token`).

    The server rotates refresh tokens: each renewal's new one is kept here and handed to
    `remember` (the account store), so the next start can sign in without the password.
    """

    def __init__(
        self, server_url: str, refresh_token: str, *, remember: Callable[[str], Awaitable[None]]
    ) -> None:
        self.server_url = server_url
        self.refresh_token = refresh_token
        self._remember = remember

    async def __call__(self) -> str:
        """A new access token.

        Raises:
            ApiError: the refresh token expired or was revoked (sign in again).
            ServerUnavailableError: nothing answers at the server's address.
        """
        body = await _post(
            self.server_url, "/authentication/refresh", {"refreshToken": self.refresh_token}
        )
        renewed = _signed_in(self.server_url, body)
        await renewed.client.close()
        self.refresh_token = renewed.refresh_token
        await self._remember(renewed.refresh_token)
        return renewed.client.token


def _signed_in(server_url: str, body: dict[str, Any]) -> SignedIn:
    try:
        token, refresh, email = str(body["token"]), str(body["refreshToken"]), str(body["email"])
        project_id = str(body["projectId"])
    except (KeyError, TypeError):
        raise ApiError(
            200, "NOT_PIECEWORK", f"{server_url} answered, but not like a Piecework server"
        ) from None
    return SignedIn(ApiClient(server_url, token), server_url, email, refresh, project_id)


async def _post(server_url: str, path: str, body: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=server_url + "/api/v1", timeout=SIGN_IN_TIMEOUT_S
    ) as http:
        try:
            response = await http.post(path, json=body)
        except httpx.TransportError as err:
            raise ServerUnavailableError(
                0, "UNAVAILABLE", f"Nothing answers at {server_url}; check the address"
            ) from err
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ApiError(
            response.status_code,
            "NOT_PIECEWORK",
            f"{server_url} does not answer like a Piecework server; check the address",
        )
    if not response.is_success:
        message = answer.get("message")
        raise ApiError(
            response.status_code,
            str(answer.get("code", "HTTP_ERROR")),
            str(message) if message else f"The server answered {response.status_code}",
        )
    return answer
