"""The Slack piece: send messages and files, and start flows on new messages."""

from pieces.framework import Piece
from pieces.framework.custom_api_call import custom_api_call
from pieces.slack.actions.send_direct_message import send_direct_message
from pieces.slack.actions.send_message import send_message
from pieces.slack.actions.upload_file import upload_file
from pieces.slack.client import auth_headers, base_url, slack_auth
from pieces.slack.triggers.new_message import new_message

piece = Piece(
    name="slack",
    display_name="Slack",
    version="0.1.0",
    description="Send messages and files to Slack, and start flows on new messages.",
    logo="slack.svg",
    categories=("COMMUNICATION",),
    auth=slack_auth,
    actions=(
        send_message,
        send_direct_message,
        upload_file,
        custom_api_call(base_url=base_url, auth_mapping=auth_headers),
    ),
    triggers=(new_message,),
)

__all__ = ["piece"]
