"""New Message: Telegram posts updates to the flow's webhook URL (registered with setWebhook)."""

from typing import Any

from pieces.framework import ShortText, Trigger, TriggerContext, TriggerStrategy
from pieces.framework.connection import require_webhook_url
from pieces.telegram.client import call, webhook_secret

#: Update kinds that carry a message.
_MESSAGE_KINDS = ("message", "channel_post")


async def _on_enable(ctx: TriggerContext) -> None:
    await call(
        ctx.http,
        ctx.auth,
        "setWebhook",
        {
            "url": require_webhook_url(ctx.webhook_url),
            "secret_token": webhook_secret(ctx.auth, ctx.webhook_url),
            "allowed_updates": list(_MESSAGE_KINDS),
        },
    )


async def _on_disable(ctx: TriggerContext) -> None:
    await call(ctx.http, ctx.auth, "deleteWebhook", {"drop_pending_updates": False})


async def _run(ctx: TriggerContext) -> list[Any]:
    payload = ctx.payload or {}
    headers = {str(k).lower(): v for k, v in (payload.get("headers") or {}).items()}
    # Requests without Telegram's secret header are not from Telegram: ignored.
    if headers.get("x-telegram-bot-api-secret-token") != webhook_secret(ctx.auth, ctx.webhook_url):
        return []
    update = payload.get("body") or {}
    message = next((update[k] for k in _MESSAGE_KINDS if isinstance(update.get(k), dict)), None)
    if message is None:
        return []
    chat_filter = ctx.props["chat_id"]
    if chat_filter and str(message.get("chat", {}).get("id")) != str(chat_filter):
        return []
    return [{**message, "update_id": update.get("update_id")}]


new_message = Trigger(
    name="new_message",
    display_name="New Message",
    description="Starts the flow when the bot receives a message (or a post in its channel).",
    type=TriggerStrategy.WEBHOOK,
    props={
        "chat_id": ShortText(
            display_name="Only this chat", description="A chat id; empty: every chat"
        ),
    },
    run=_run,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={
        "message_id": 111,
        "from": {"id": 123456789, "is_bot": False, "first_name": "Ada", "username": "ada"},
        "chat": {"id": 123456789, "first_name": "Ada", "username": "ada", "type": "private"},
        "date": 1767348000,
        "text": "Hello bot",
        "update_id": 987654321,
    },
)
