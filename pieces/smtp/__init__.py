"""The SMTP piece: send email through any mail server."""

from pieces.framework import Piece
from pieces.smtp.actions.send_email import send_email
from pieces.smtp.auth import smtp_auth

piece = Piece(
    name="smtp",
    display_name="SMTP",
    version="0.1.0",
    description="Send email through any SMTP server (TLS or STARTTLS), with HTML and attachments.",
    logo="smtp.svg",
    categories=("COMMUNICATION",),
    auth=smtp_auth,
    actions=(send_email,),
)

__all__ = ["piece"]
