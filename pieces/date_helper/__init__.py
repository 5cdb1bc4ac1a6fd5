"""The Date Helper piece: current date, formatting, arithmetic, differences and parts of dates."""

from pieces.date_helper.actions.add_subtract_date import add_subtract_date
from pieces.date_helper.actions.current_date import current_date
from pieces.date_helper.actions.date_difference import date_difference
from pieces.date_helper.actions.extract_date_parts import extract_date_parts
from pieces.date_helper.actions.format_date import format_date
from pieces.framework import Piece

piece = Piece(
    name="date_helper",
    display_name="Date Helper",
    version="0.1.0",
    description="Get, format, shift and compare dates across time zones.",
    logo="date_helper.svg",
    categories=("CORE",),
    actions=(current_date, format_date, add_subtract_date, date_difference, extract_date_parts),
)

__all__ = ["piece"]
