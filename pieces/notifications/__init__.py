"""The Notifications piece: notifications shown by the desktop app."""

from pieces.framework import Piece
from pieces.notifications.actions.desktop_notification import desktop_notification

piece = Piece(
    name="notifications",
    display_name="Notifications",
    version="0.1.0",
    description="Show notifications on this computer through the Piecework desktop app.",
    logo="notifications.svg",
    categories=("CORE",),
    actions=(desktop_notification,),
    personal_only=True,
)

__all__ = ["piece"]
