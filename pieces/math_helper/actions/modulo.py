"""Modulo: the remainder of dividing the first number by the second."""

from typing import Any

from pieces.framework import PieceError
from pieces.math_helper.props import binary_action


def _modulo(first: Any, second: Any) -> Any:
    if second == 0:
        raise PieceError("Second number must not be zero: the remainder of a division by zero")
    return first % second


modulo = binary_action(
    name="modulo",
    display_name="Modulo",
    description="The remainder of dividing the first number by the second.",
    apply=_modulo,
)
