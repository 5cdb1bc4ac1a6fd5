"""Subtract: Subtract the second number from the first."""

from pieces.math_helper.props import binary_action

subtract = binary_action(
    name="subtract",
    display_name="Subtract",
    description="Subtract the second number from the first.",
    apply=lambda a, b: a - b,
)
