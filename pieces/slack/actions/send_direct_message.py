"""Send Direct Message: open (or reuse) the app's DM with a person and post there."""

from typing import Any

from pieces.framework import Action, ActionContext, Dropdown
from pieces.slack.actions.send_message import message_body
from pieces.slack.client import call, user_options
from pieces.slack.props import BLOCKS, TEXT


async def _run(ctx: ActionContext) -> dict[str, Any]:
    opened = await call(ctx.http, ctx.auth, "conversations.open", json={"users": ctx.props["user"]})
    channel = opened["channel"]["id"]
    answer = await call(ctx.http, ctx.auth, "chat.postMessage", json=message_body(ctx, channel))
    return {"channel": channel, "ts": answer.get("ts"), "message": answer.get("message")}


send_direct_message = Action(
    name="send_direct_message",
    display_name="Send Message to User",
    description="Send a direct message to a person in the workspace.",
    props={
        "user": Dropdown(
            display_name="User",
            description="A person (or paste a user ID)",
            required=True,
            options=user_options,
        ),
        "text": TEXT,
        "blocks": BLOCKS,
    },
    run=_run,
)
