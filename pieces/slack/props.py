"""Props shared by the Slack actions."""

from pieces.framework import Dropdown, Json, LongText, ShortText
from pieces.slack.client import channel_options

CHANNEL = Dropdown(
    display_name="Channel",
    description="A channel the app was added to (or paste a channel ID)",
    required=True,
    options=channel_options,
)
TEXT = LongText(display_name="Message", description="Slack mrkdwn: *bold*, _italic_, <url|link>")
BLOCKS = Json(display_name="Blocks", description="Block Kit blocks (a JSON list), optional")
THREAD = ShortText(display_name="Reply in thread", description="The ts of the parent message")
