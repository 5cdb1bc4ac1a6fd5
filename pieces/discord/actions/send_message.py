"""Send Message (bot): post to a channel as the connection's bot."""

from typing import Any

from pieces.discord.client import auth_headers, base_url, call
from pieces.discord.props import CONTENT, EMBEDS, message_body
from pieces.framework import Action, ActionContext, ShortText


async def _run(ctx: ActionContext) -> Any:
    url = f"{base_url(ctx.auth)}/channels/{ctx.props['channel_id']}/messages"
    response = await call(
        ctx.http, url, headers=await auth_headers(ctx.auth), json=message_body(ctx.props)
    )
    return response.json()


send_message = Action(
    name="send_message",
    display_name="Send Message (bot)",
    description="Post a message to a channel as your bot.",
    props={
        "channel_id": ShortText(
            display_name="Channel ID",
            description="Right-click the channel → Copy Channel ID (developer mode on)",
            required=True,
        ),
        "content": CONTENT,
        "embeds": EMBEDS,
    },
    run=_run,
)
