"""Calls to Slack's Web API with a bot token: `ok: false` answers and 429s become framework errors."""

from typing import Any

import httpx

from pieces.framework import (
    AuthError,
    CustomAuth,
    DropdownState,
    Option,
    OptionsRequest,
    PieceError,
    ShortText,
    create_http_client,
    validators,
)
from pieces.framework.api_errors import send
from pieces.framework.network import NetworkPolicy

DEFAULT_BASE_URL = "https://slack.com/api"
SERVICE = "Slack"
#: Slack's errors that mean the token is wrong, revoked or lacks a scope.
_AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "missing_scope",
    "no_permission",
}
#: Pages read at most when listing channels or users.
MAX_PAGES = 20

slack_auth = CustomAuth(
    display_name="Slack app",
    description=(
        "Create a Slack app (api.slack.com/apps), add the bot scopes chat:write, "
        "channels:read, groups:read, users:read, im:write and files:write, install it to your "
        "workspace and paste the Bot User OAuth Token (xoxb-...). For the New Message trigger, "
        "also paste the app's Signing Secret."
    ),
    props={
        "bot_token": ShortText(display_name="Bot token", required=True),
        "signing_secret": ShortText(display_name="Signing secret"),
        "base_url": ShortText(
            display_name="API base URL", default=DEFAULT_BASE_URL, validators=(validators.url(),)
        ),
    },
)


def base_url(auth: Any) -> str:
    """The Web API base URL of a connection."""
    return str((auth or {}).get("base_url") or DEFAULT_BASE_URL).rstrip("/")


async def auth_headers(auth: Any) -> dict[str, str]:
    """The bot token as a bearer header."""
    return {"Authorization": f"Bearer {auth['bot_token']}"}


async def call(
    http: httpx.AsyncClient, auth: Any, method: str, *, json: Any = None, params: Any = None
) -> dict[str, Any]:
    """Calls a Web API method (`chat.postMessage`, ...) and returns its answer.

    Raises:
        AuthError: the token is wrong, revoked, or lacks a scope (Slack's error code is quoted).
        RateLimitedError: 429, with Slack's Retry-After.
        PieceError: any other `ok: false` answer or error status.
    """
    kwargs: dict[str, Any] = {"headers": await auth_headers(auth)}
    if json is not None:
        kwargs["json"] = json
    if params is not None:
        kwargs["params"] = params
    response = await send(
        http,
        "POST" if json is not None else "GET",
        f"{base_url(auth)}/{method}",
        service=SERVICE,
        detail=lambda body: body.get("error") if isinstance(body, dict) else None,
        **kwargs,
    )
    answer: dict[str, Any] = response.json()
    if not answer.get("ok"):
        error = str(answer.get("error") or "unknown_error")
        needed = f" (needs scope {answer['needed']})" if answer.get("needed") else ""
        message = f"Slack {method} failed: {error}{needed}"
        raise AuthError(message) if error in _AUTH_ERRORS else PieceError(message)
    return answer


async def paginate(
    http: httpx.AsyncClient, auth: Any, method: str, *, key: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated method (`conversations.list`, `users.list`)."""
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        answer = await call(http, auth, method, params={**params, "cursor": cursor, "limit": 200})
        items.extend(answer.get(key, []))
        cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            break
    return items


async def channel_options(request: OptionsRequest) -> DropdownState:
    """Public and private channels the bot can see."""
    if request.auth is None:
        return DropdownState(disabled=True, placeholder="Connect Slack first")
    async with create_http_client(NetworkPolicy.from_env()) as http:
        try:
            channels = await paginate(
                http,
                request.auth,
                "conversations.list",
                key="channels",
                params={"types": "public_channel,private_channel", "exclude_archived": "true"},
            )
        except PieceError as err:
            return DropdownState(disabled=True, placeholder=err.message)
    return DropdownState(
        options=tuple(Option(label=f"#{c['name']}", value=c["id"]) for c in channels)
    )


async def user_options(request: OptionsRequest) -> DropdownState:
    """People of the workspace (no bots, no deleted accounts)."""
    if request.auth is None:
        return DropdownState(disabled=True, placeholder="Connect Slack first")
    async with create_http_client(NetworkPolicy.from_env()) as http:
        try:
            users = await paginate(http, request.auth, "users.list", key="members", params={})
        except PieceError as err:
            return DropdownState(disabled=True, placeholder=err.message)
    people = [u for u in users if not u.get("is_bot") and not u.get("deleted")]
    return DropdownState(
        options=tuple(
            Option(label=u.get("real_name") or u.get("name", u["id"]), value=u["id"])
            for u in people
        )
    )
