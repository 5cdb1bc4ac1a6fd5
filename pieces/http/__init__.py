"""The HTTP piece: send requests to any API."""

from pieces.framework import Piece
from pieces.http.actions.send_request import send_request

piece = Piece(
    name="http",
    display_name="HTTP",
    version="0.1.0",
    description="Send HTTP requests to any API and use the response in the flow.",
    logo="http.svg",
    categories=("CORE",),
    actions=(send_request,),
)

__all__ = ["piece"]
