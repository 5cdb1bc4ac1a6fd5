"""New Message: Slack's Events API posts message events to the flow's webhook URL.

Slack first checks the URL with a `url_verification` request carrying `challenge`; the trigger
answers it with the challenge. Events are verified with the app's signing secret when the
request's raw body reaches the trigger (`rawBody`), and ignored when the signature is wrong or
older than five minutes.
"""

import hashlib
import hmac
import time
from typing import Any

from pieces.framework import (
    Checkbox,
    HandshakeConfig,
    HandshakeStrategy,
    Markdown,
    MarkdownVariant,
    ShortText,
    Trigger,
    TriggerContext,
    TriggerStrategy,
    WebhookResponse,
)

#: Oldest signed request accepted, in seconds (Slack's advice against replays).
MAX_AGE_S = 300


async def _handshake(ctx: TriggerContext) -> WebhookResponse:
    body = (ctx.payload or {}).get("body") or {}
    return WebhookResponse(
        status=200,
        headers={"Content-Type": "application/json"},
        body={"challenge": body.get("challenge")},
    )


def signature_ok(*, secret: str, headers: dict[str, Any], raw_body: str, now: float) -> bool:
    """Whether `X-Slack-Signature` is the HMAC of `v0:{timestamp}:{body}` and recent enough."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    stamp = lowered.get("x-slack-request-timestamp", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > MAX_AGE_S:
        return False
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{raw_body}".encode(), hashlib.sha256)
    return hmac.compare_digest(f"v0={digest.hexdigest()}", lowered.get("x-slack-signature", ""))


async def _run(ctx: TriggerContext) -> list[Any]:
    payload = ctx.payload or {}
    body = payload.get("body") or {}
    secret = (ctx.auth or {}).get("signing_secret")
    raw = payload.get("rawBody")
    if (
        secret
        and isinstance(raw, str)
        and not signature_ok(
            secret=secret, headers=payload.get("headers") or {}, raw_body=raw, now=time.time()
        )
    ):
        return []
    event = body.get("event") if body.get("type") == "event_callback" else None
    if not isinstance(event, dict) or event.get("type") != "message":
        return []
    if ctx.props["channel"] and event.get("channel") != ctx.props["channel"]:
        return []
    is_bot = bool(event.get("bot_id")) or event.get("subtype") == "bot_message"
    if is_bot and ctx.props["ignore_bots"]:
        return []
    if event.get("subtype") in {"message_changed", "message_deleted"}:
        return []
    return [{**event, "team_id": body.get("team_id"), "event_id": body.get("event_id")}]


new_message = Trigger(
    name="new_message",
    display_name="New Message",
    description="Starts the flow when a message is posted in a channel the app is in.",
    type=TriggerStrategy.WEBHOOK,
    props={
        "setup": Markdown(
            value=(
                "In your Slack app, open **Event Subscriptions**, turn them on and set the "
                "Request URL to **{{webhookUrl}}**; subscribe to the bot events `message.channels` "
                "(and `message.groups`, `message.im` as needed), then reinstall the app."
            ),
            variant=MarkdownVariant.INFO,
        ),
        "channel": ShortText(
            display_name="Only this channel", description="A channel ID; empty: every channel"
        ),
        "ignore_bots": Checkbox(display_name="Ignore messages from bots", default=True),
    },
    run=_run,
    handshake=HandshakeConfig(
        strategy=HandshakeStrategy.BODY_PARAM_PRESENT, param_name="challenge"
    ),
    handshake_response=_handshake,
    sample_data={
        "type": "message",
        "channel": "C0123456789",
        "user": "U0123456789",
        "text": "Hello from Slack",
        "ts": "1767348000.000100",
        "team_id": "T0123456789",
        "event_id": "Ev0123456789",
    },
)
