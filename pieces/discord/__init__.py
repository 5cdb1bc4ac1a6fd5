"""The Discord piece: send messages through a channel webhook or as a bot."""

from pieces.discord.actions.send_message import send_message
from pieces.discord.actions.send_message_webhook import send_message_webhook
from pieces.discord.client import auth_headers, base_url, discord_auth
from pieces.framework import Piece
from pieces.framework.custom_api_call import custom_api_call

piece = Piece(
    name="discord",
    display_name="Discord",
    version="0.1.0",
    description="Send messages to Discord channels through a webhook URL or as a bot.",
    logo="discord.svg",
    categories=("COMMUNICATION",),
    auth=discord_auth,
    actions=(
        send_message_webhook,
        send_message,
        custom_api_call(base_url=base_url, auth_mapping=auth_headers),
    ),
)

__all__ = ["piece"]
