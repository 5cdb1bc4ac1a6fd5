"""Calls to the Telegram Bot API (`{base}/bot<token>/<method>`), its `ok: false` errors in plain words."""

import hashlib
import hmac
from typing import Any

import httpx

from pieces.framework import AuthError, CustomAuth, PieceError, ShortText, validators
from pieces.framework.api_errors import RateLimitedError, error_for
from pieces.framework.connection import require_connection

DEFAULT_BASE_URL = "https://api.telegram.org"
SERVICE = "Telegram"

telegram_auth = CustomAuth(
    display_name="Telegram bot",
    description=(
        "Talk to @BotFather in Telegram, send /newbot, and paste the token it gives you "
        "(123456:ABC-DEF...)."
    ),
    props={
        "bot_token": ShortText(display_name="Bot token", required=True),
        "base_url": ShortText(
            display_name="Bot API server",
            default=DEFAULT_BASE_URL,
            description="Change only for a self-hosted Bot API server",
            validators=(validators.url(),),
        ),
    },
)


def bot_url(auth: Any) -> str:
    """`{server}/bot<token>`: every method is under it."""
    require_connection(auth, piece_name="Telegram")
    base = str(auth.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/bot{auth['bot_token']}"


def webhook_secret(auth: Any, webhook_url: str) -> str:
    """The secret token Telegram sends back with each update, derived from the token and URL.

    Derived rather than stored, so enabling and every later event agree without shared state.
    """
    require_connection(auth, piece_name="Telegram")
    digest = hmac.new(auth["bot_token"].encode(), webhook_url.encode(), hashlib.sha256)
    return digest.hexdigest()


async def call(
    http: httpx.AsyncClient, auth: Any, method: str, body: dict[str, Any] | None = None
) -> Any:
    """Calls a Bot API method and returns its `result`.

    Raises:
        AuthError: 401 (wrong or revoked token).
        RateLimitedError: 429, with Telegram's `retry_after`.
        PieceError: any other `ok: false` answer, quoting Telegram's description.
    """
    # The token is part of the URL, so failures name the method, never the URL.
    try:
        response = await http.post(f"{bot_url(auth)}/{method}", json=body or {})
    except httpx.TimeoutException as err:
        raise PieceError(f"{SERVICE} did not answer {method} in time") from err
    except httpx.HTTPError as err:
        raise PieceError(f"could not reach {SERVICE} for {method}: {type(err).__name__}") from err
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict) and answer.get("ok"):
        return answer.get("result")
    if not isinstance(answer, dict):
        raise error_for(response, service=SERVICE)
    description = str(answer.get("description") or response.reason_phrase)
    code = answer.get("error_code", response.status_code)
    message = f"{SERVICE} {method} failed ({code}): {description}"
    # A token of no bot answers 404 "Not Found"; a revoked one 401 "Unauthorized".
    if code == 401 or (code == 404 and description == "Not Found"):
        raise AuthError(f"{message}; check the bot token")
    if code == 429:
        wait = (answer.get("parameters") or {}).get("retry_after")
        raise RateLimitedError(message, retry_after=float(wait) if wait is not None else None)
    raise PieceError(message)
