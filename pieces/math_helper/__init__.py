"""The Math Helper piece: arithmetic on two numbers, and random numbers."""

from pieces.framework import Piece
from pieces.math_helper.actions.add import add
from pieces.math_helper.actions.divide import divide
from pieces.math_helper.actions.modulo import modulo
from pieces.math_helper.actions.multiply import multiply
from pieces.math_helper.actions.random_number import random_number
from pieces.math_helper.actions.subtract import subtract

piece = Piece(
    name="math_helper",
    display_name="Math Helper",
    version="0.1.0",
    description="Add, subtract, multiply, divide and take remainders of numbers; random numbers.",
    logo="math_helper.svg",
    categories=("CORE",),
    actions=(add, subtract, multiply, divide, modulo, random_number),
)

__all__ = ["piece"]
