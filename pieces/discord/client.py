"""Calls to Discord's API: bot token auth, and Discord's `{message, code}` errors in plain words."""

from typing import Any

import httpx

from pieces.framework import CustomAuth, ShortText, validators
from pieces.framework.api_errors import send

DEFAULT_BASE_URL = "https://discord.com/api/v10"
SERVICE = "Discord"

discord_auth = CustomAuth(
    display_name="Discord bot",
    description=(
        "For bot actions: create an application at discord.com/developers, add a bot, copy its "
        "token and invite it to your server with the Send Messages permission. Sending through "
        "a channel webhook URL needs no connection."
    ),
    props={
        "bot_token": ShortText(display_name="Bot token", required=True),
        "base_url": ShortText(
            display_name="API base URL", default=DEFAULT_BASE_URL, validators=(validators.url(),)
        ),
    },
)


def base_url(auth: Any) -> str:
    """The API base URL of a connection."""
    return str((auth or {}).get("base_url") or DEFAULT_BASE_URL).rstrip("/")


async def auth_headers(auth: Any) -> dict[str, str]:
    """The bot token header (`Bot <token>`)."""
    return {"Authorization": f"Bot {auth['bot_token']}"}


def detail(body: Any) -> str | None:
    """Discord's `{message, code, errors}` as one line."""
    if not isinstance(body, dict) or "message" not in body:
        return None
    text = str(body["message"])
    if body.get("code"):
        text += f" (code {body['code']})"
    if body.get("errors"):
        text += f": {body['errors']}"
    return text


async def call(
    http: httpx.AsyncClient, url: str, *, headers: dict[str, str], json: Any
) -> httpx.Response:
    """POSTs JSON to a Discord URL; error statuses raise with Discord's message."""
    return await send(http, "POST", url, service=SERVICE, detail=detail, headers=headers, json=json)
