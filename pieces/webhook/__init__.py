"""The Webhook piece: start a flow from an HTTP request and answer it."""

from pieces.framework import Piece
from pieces.webhook.actions.return_response import return_response
from pieces.webhook.triggers.catch_webhook import catch_webhook

piece = Piece(
    name="webhook",
    display_name="Webhook",
    version="0.1.0",
    description="Receive HTTP requests and trigger flows using unique URLs.",
    logo="webhook.svg",
    categories=("CORE",),
    actions=(return_response,),
    triggers=(catch_webhook,),
)

__all__ = ["piece"]
