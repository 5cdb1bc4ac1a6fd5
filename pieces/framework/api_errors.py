"""Vendor API answers in plain words: one place turns an HTTP error into the framework's errors.

SaaS pieces send their requests through `send`, which raises AuthError for refused credentials
(401/403), RateLimitedError for 429 (with the wait the vendor asked for) and PieceError for any
other error status or a transport failure, each quoting the vendor's own message.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from pieces.framework.errors import AuthError, PieceError

#: Finds the vendor's error message in a decoded JSON error body (None: not there).
DetailFn = Callable[[Any], str | None]


class RateLimitedError(PieceError):
    """The vendor refused the request for now (HTTP 429); `retry_after` is in seconds when known."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait a 429 or 503 asks for: Retry-After (seconds or an HTTP date), else None."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_for(
    response: httpx.Response, *, service: str, detail: DetailFn | None = None
) -> PieceError:
    """The framework error for an error response, quoting the vendor's message."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    text = (detail(body) if detail is not None and body is not None else None) or _fallback(
        body, response
    )
    message = f"{service} answered {response.status_code} {response.reason_phrase}: {text}"
    if response.status_code == 429:
        wait = retry_after_seconds(response.headers)
        suffix = f" (retry after {wait:g} s)" if wait is not None else ""
        return RateLimitedError(f"{service} rate limit reached: {text}{suffix}", retry_after=wait)
    if response.status_code in (401, 403):
        return AuthError(message)
    return PieceError(message)


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    service: str,
    detail: DetailFn | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Sends a request; an error status or a transport failure raises (see module docstring).

    Args:
        http: the step's client (`ctx.http`).
        method: the HTTP method.
        url: the full URL.
        service: the vendor's name, for messages ("Slack").
        detail: finds the vendor's message in an error body.
        **kwargs: passed to `httpx.AsyncClient.request` (json, params, headers, ...).
    """
    try:
        response = await http.request(method, url, **kwargs)
    except PieceError:
        raise
    except httpx.TimeoutException as err:
        raise PieceError(f"{service} did not answer in time ({method} {url})") from err
    except httpx.HTTPError as err:
        raise PieceError(f"could not reach {service} ({method} {url}): {err}") from err
    if response.is_error:
        raise error_for(response, service=service, detail=detail)
    return response


def _fallback(body: Any, response: httpx.Response) -> str:
    if isinstance(body, dict):
        for key in ("message", "error_description", "description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    return response.text[:300] or response.reason_phrase
