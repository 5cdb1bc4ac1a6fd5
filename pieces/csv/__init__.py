"""The CSV piece: parse CSV text into rows and write rows as CSV text."""

from pieces.csv.actions.parse_csv import parse_csv
from pieces.csv.actions.unparse_csv import unparse_csv
from pieces.framework import Piece

piece = Piece(
    name="csv",
    display_name="CSV",
    version="0.1.0",
    description="Parse CSV text into rows, and write rows as CSV text.",
    logo="csv.svg",
    categories=("CORE",),
    actions=(parse_csv, unparse_csv),
)

__all__ = ["piece"]
