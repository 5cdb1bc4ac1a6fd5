"""The Delay piece: pause a run for a while, or until a moment."""

from pieces.delay.actions.delay_for import delay_for
from pieces.delay.actions.delay_until import delay_until
from pieces.framework import Piece

piece = Piece(
    name="delay",
    display_name="Delay",
    version="0.1.0",
    description="Pause the run for a while or until a date; it resumes by itself, "
    "even after a restart.",
    logo="delay.svg",
    categories=("CORE",),
    actions=(delay_for, delay_until),
)

__all__ = ["piece"]
