"""Send Message via Webhook: post to a channel through its webhook URL (no bot needed)."""

from typing import Any

from pieces.discord.client import call
from pieces.discord.props import CONTENT, EMBEDS, message_body
from pieces.framework import Action, ActionContext, ShortText, validators


async def _run(ctx: ActionContext) -> dict[str, Any]:
    body = message_body(ctx.props)
    if ctx.props["username"]:
        body["username"] = ctx.props["username"]
    if ctx.props["avatar_url"]:
        body["avatar_url"] = ctx.props["avatar_url"]
    # wait=true: Discord answers with the created message instead of 204.
    response = await call(
        ctx.http, ctx.props["webhook_url"].split("?")[0] + "?wait=true", headers={}, json=body
    )
    return response.json() if response.content else {}


send_message_webhook = Action(
    name="send_message_webhook",
    display_name="Send Message via Webhook",
    description="Post a message to a channel through its webhook URL.",
    props={
        "webhook_url": ShortText(
            display_name="Webhook URL",
            description="Channel settings → Integrations → Webhooks → Copy Webhook URL",
            required=True,
            validators=(validators.url(),),
        ),
        "content": CONTENT,
        "embeds": EMBEDS,
        "username": ShortText(display_name="Sender name"),
        "avatar_url": ShortText(display_name="Avatar URL", validators=(validators.url(),)),
    },
    run=_run,
    require_auth=False,
)
