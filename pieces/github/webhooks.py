"""Repository webhooks for the triggers: register, remove, and verify deliveries.

Nothing is kept between enabling and disabling: the hook is found again by its URL, and its
secret is derived from the token and the flow's webhook URL (HMAC-SHA256).
"""

import hashlib
import hmac
from typing import Any

from pieces.framework import TriggerContext
from pieces.framework.connection import require_connection, require_webhook_url
from pieces.github.client import paginate, request, split_repository


def secret(auth: Any, webhook_url: str) -> str:
    """The secret GitHub signs deliveries with."""
    require_connection(auth, piece_name="GitHub")
    return hmac.new(auth["token"].encode(), webhook_url.encode(), hashlib.sha256).hexdigest()


async def register(ctx: TriggerContext, *, event: str) -> None:
    """Creates a JSON webhook for `event` on the repository, pointing at the flow's URL."""
    require_webhook_url(ctx.webhook_url)
    owner, name = split_repository(ctx.props["repository"])
    await remove(ctx)  # enabling twice must not leave two hooks
    config = {
        "url": ctx.webhook_url,
        "content_type": "json",
        "secret": secret(ctx.auth, ctx.webhook_url),
        "insecure_ssl": "0",
    }
    body = {"name": "web", "active": True, "events": [event], "config": config}
    await request(ctx.http, ctx.auth, "POST", f"/repos/{owner}/{name}/hooks", json=body)


async def remove(ctx: TriggerContext) -> None:
    """Deletes the repository's webhooks that point at the flow's URL."""
    owner, name = split_repository(ctx.props["repository"])
    for hook in await paginate(ctx.http, ctx.auth, f"/repos/{owner}/{name}/hooks"):
        if (hook.get("config") or {}).get("url") == ctx.webhook_url:
            await request(ctx.http, ctx.auth, "DELETE", f"/repos/{owner}/{name}/hooks/{hook['id']}")


def delivery(ctx: TriggerContext, *, event: str) -> dict[str, Any] | None:
    """The body of a delivery of `event`, or None (another event, a ping, a bad signature).

    The `X-Hub-Signature-256` is checked when the raw body reaches the trigger (`rawBody`).
    """
    payload = ctx.payload or {}
    headers = {str(k).lower(): str(v) for k, v in (payload.get("headers") or {}).items()}
    if headers.get("x-github-event") != event:
        return None
    raw = payload.get("rawBody")
    if isinstance(raw, str):
        digest = hmac.new(
            secret(ctx.auth, ctx.webhook_url).encode(), raw.encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(f"sha256={digest}", headers.get("x-hub-signature-256", "")):
            return None
    body = payload.get("body")
    return body if isinstance(body, dict) else None
