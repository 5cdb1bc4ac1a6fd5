"""The Store piece: keep values between runs and share them between flows."""

from pieces.framework import Piece
from pieces.store.actions.append import append
from pieces.store.actions.delete import delete
from pieces.store.actions.get import get
from pieces.store.actions.increment import increment
from pieces.store.actions.put import put

piece = Piece(
    name="store",
    display_name="Storage",
    version="0.1.0",
    description="Keep values between runs (per flow) or share them between flows (per project).",
    logo="store.svg",
    categories=("CORE",),
    actions=(put, get, delete, append, increment),
)

__all__ = ["piece"]
