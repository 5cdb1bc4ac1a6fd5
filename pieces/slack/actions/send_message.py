"""Send Message to Channel: post a message (text or Block Kit) to a channel, optionally in a thread."""

from typing import Any

from pieces.framework import Action, ActionContext, PieceError, ShortText
from pieces.slack.client import call
from pieces.slack.props import BLOCKS, CHANNEL, TEXT, THREAD


def message_body(ctx: ActionContext, channel: str) -> dict[str, Any]:
    """The chat.postMessage body for the step's text, blocks, thread and sender name."""
    props = ctx.props
    if not props["text"] and not props["blocks"]:
        raise PieceError("give the Message text or Blocks")
    body: dict[str, Any] = {"channel": channel, "text": props["text"] or ""}
    if props["blocks"]:
        body["blocks"] = props["blocks"]
    if props.get("thread_ts"):
        body["thread_ts"] = props["thread_ts"]
    if props.get("username"):
        body["username"] = props["username"]
    return body


async def _run(ctx: ActionContext) -> dict[str, Any]:
    answer = await call(
        ctx.http, ctx.auth, "chat.postMessage", json=message_body(ctx, ctx.props["channel"])
    )
    return {
        "channel": answer.get("channel"),
        "ts": answer.get("ts"),
        "message": answer.get("message"),
    }


send_message = Action(
    name="send_message",
    display_name="Send Message to Channel",
    description="Post a message to a Slack channel.",
    props={
        "channel": CHANNEL,
        "text": TEXT,
        "blocks": BLOCKS,
        "thread_ts": THREAD,
        "username": ShortText(
            display_name="Sender name", description="Needs the chat:write.customize scope"
        ),
    },
    run=_run,
)
