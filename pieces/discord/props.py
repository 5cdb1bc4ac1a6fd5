"""Message props shared by the Discord actions."""

from typing import Any

from pieces.framework import Json, LongText, PieceError, validators

CONTENT = LongText(
    display_name="Message",
    description="Up to 2,000 characters; Discord markdown",
    validators=(validators.max_length(2000),),
)
EMBEDS = Json(display_name="Embeds", description="A JSON list of embed objects (up to 10)")


def message_body(props: Any) -> dict[str, Any]:
    """`{content, embeds}` of the step; at least one must be given."""
    if not props["content"] and not props["embeds"]:
        raise PieceError("give the Message or Embeds")
    embeds = props["embeds"]
    if embeds is not None and not isinstance(embeds, list):
        embeds = [embeds]
    body: dict[str, Any] = {"content": props["content"] or ""}
    if embeds:
        body["embeds"] = embeds
    return body
