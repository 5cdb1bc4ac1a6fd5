"""Multiply: Multiply the first number by the second."""

from pieces.math_helper.props import binary_action

multiply = binary_action(
    name="multiply",
    display_name="Multiply",
    description="Multiply the first number by the second.",
    apply=lambda a, b: a * b,
)
