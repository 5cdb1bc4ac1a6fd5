"""The IMAP piece: start flows on new email, mark email as read, move it between folders."""

from pieces.framework import Piece
from pieces.imap.actions.mark_as_read import mark_as_read
from pieces.imap.actions.move_email import move_email
from pieces.imap.auth import imap_auth
from pieces.imap.triggers.new_email import new_email

piece = Piece(
    name="imap",
    display_name="IMAP",
    version="0.1.0",
    description="Start flows on new email in any IMAP mailbox; mark email as read or move it.",
    logo="imap.svg",
    categories=("COMMUNICATION",),
    auth=imap_auth,
    actions=(mark_as_read, move_email),
    triggers=(new_email,),
)

__all__ = ["piece"]
