"""Send Message: a text message to a chat, group or channel."""

from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    Checkbox,
    LongText,
    Option,
    ShortText,
    StaticDropdown,
    validators,
)
from pieces.telegram.client import call


async def _run(ctx: ActionContext) -> Any:
    props = ctx.props
    body: dict[str, Any] = {
        "chat_id": props["chat_id"],
        "text": props["text"],
        "disable_notification": props["disable_notification"],
    }
    if props["parse_mode"] != "none":
        body["parse_mode"] = props["parse_mode"]
    if props["reply_to_message_id"]:
        body["reply_parameters"] = {"message_id": int(props["reply_to_message_id"])}
    if props["disable_link_preview"]:
        body["link_preview_options"] = {"is_disabled": True}
    return await call(ctx.http, ctx.auth, "sendMessage", body)


send_message = Action(
    name="send_message",
    display_name="Send Message",
    description="Send a text message to a chat, group or channel.",
    props={
        "chat_id": ShortText(
            display_name="Chat ID",
            description="A numeric chat id, or @channelusername; the person must have started the bot",
            required=True,
        ),
        "text": LongText(
            display_name="Message", required=True, validators=(validators.max_length(4096),)
        ),
        "parse_mode": StaticDropdown(
            display_name="Format",
            default="none",
            options=(
                Option(label="Plain text", value="none"),
                Option(label="MarkdownV2", value="MarkdownV2"),
                Option(label="HTML", value="HTML"),
            ),
        ),
        "reply_to_message_id": ShortText(display_name="Reply to message id"),
        "disable_notification": Checkbox(display_name="Send silently", default=False),
        "disable_link_preview": Checkbox(display_name="No link preview", default=False),
    },
    run=_run,
)
