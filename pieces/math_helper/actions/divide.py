"""Divide: the first number divided by the second; dividing by zero is a clear error."""

from typing import Any

from pieces.framework import PieceError
from pieces.math_helper.props import binary_action


def _divide(first: Any, second: Any) -> Any:
    if second == 0:
        raise PieceError("Second number must not be zero: cannot divide by zero")
    quotient = first / second
    return int(quotient) if float(quotient).is_integer() else quotient


divide = binary_action(
    name="divide",
    display_name="Divide",
    description="Divide the first number by the second.",
    apply=_divide,
)
