"""Add: Add the second number to the first."""

from pieces.math_helper.props import binary_action

add = binary_action(
    name="add",
    display_name="Add",
    description="Add the second number to the first.",
    apply=lambda a, b: a + b,
)
