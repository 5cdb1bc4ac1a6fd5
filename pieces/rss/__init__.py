"""The RSS piece: read RSS and Atom feeds, and start flows on new items."""

from pieces.framework import Piece
from pieces.rss.actions.read_feed import read_feed
from pieces.rss.triggers.new_item import new_item

piece = Piece(
    name="rss",
    display_name="RSS Feed",
    version="0.1.0",
    description="Read RSS and Atom feeds, and start a flow when a new item is published.",
    logo="rss.svg",
    categories=("CONTENT_AND_FILES",),
    actions=(read_feed,),
    triggers=(new_item,),
)

__all__ = ["piece"]
