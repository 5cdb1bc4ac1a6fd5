"""The Approval piece: pause a run until someone approves or disapproves it."""

from pieces.approval.actions.create_approval_links import create_approval_links
from pieces.approval.actions.wait_for_approval import wait_for_approval
from pieces.framework import Piece

piece = Piece(
    name="approval",
    display_name="Approval",
    version="0.1.0",
    description="Pause a run until someone clicks an approve or disapprove link.",
    logo="approval.svg",
    categories=("CORE",),
    actions=(wait_for_approval, create_approval_links),
)

__all__ = ["piece"]
