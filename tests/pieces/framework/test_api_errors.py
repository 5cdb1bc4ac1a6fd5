"""Vendor error responses become AuthError, RateLimitedError or PieceError quoting the vendor."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from pieces.framework import AuthError, PieceError
from pieces.framework.api_errors import RateLimitedError, retry_after_seconds, send


def _client(response: httpx.Response) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda _: response))


async def test_ok_response_is_returned() -> None:
    async with _client(httpx.Response(200, json={"ok": True})) as http:
        response = await send(http, "GET", "https://api.example.com/x", service="Example")
    assert response.json() == {"ok": True}


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (
            httpx.Response(401, json={"message": "Bad credentials"}),
            AuthError,
            "401 Unauthorized: Bad credentials",
        ),
        (
            httpx.Response(403, json={"error": {"message": "revoked"}}),
            AuthError,
            "403 Forbidden: revoked",
        ),
        (httpx.Response(500, text="boom"), PieceError, "500 Internal Server Error: boom"),
        (
            httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "30"}),
            RateLimitedError,
            r"rate limit reached: slow down \(retry after 30 s\)",
        ),
    ],
)
async def test_error_statuses_quote_the_vendor(
    response: httpx.Response, error: type[PieceError], message: str
) -> None:
    async with _client(response) as http:
        with pytest.raises(error, match=message):
            await send(http, "GET", "https://api.example.com/x", service="Example")


async def test_detail_function_picks_the_vendor_message() -> None:
    async with _client(
        httpx.Response(400, json={"ok": False, "error": "channel_not_found"})
    ) as http:
        with pytest.raises(PieceError, match="400 Bad Request: channel_not_found"):
            await send(
                http, "GET", "https://x/", service="Slack", detail=lambda body: body.get("error")
            )


async def test_transport_failures_name_the_service() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(fail)) as http:
        with pytest.raises(PieceError, match="could not reach Example"):
            await send(http, "GET", "https://x/", service="Example")

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        with pytest.raises(PieceError, match="did not answer in time"):
            await send(http, "GET", "https://x/", service="Example")


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "2.5"})) == 2.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    wait = retry_after_seconds(httpx.Headers({"Retry-After": later}))
    assert wait is not None
    assert 90 < wait <= 100
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers()) is None
