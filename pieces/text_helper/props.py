"""Props the text actions share, and turning a user's regular expression into a clear error."""

import re

from pieces.framework import LongText, PieceError

#: The text every action works on.
TEXT = LongText(display_name="Text", required=True)


def compile_pattern(expression: str, *, prop: str) -> re.Pattern[str]:
    """Compiles a regular expression; a bad one is a PieceError naming the prop and the problem."""
    try:
        return re.compile(expression)
    except re.error as err:
        raise PieceError(f"{prop} is not a valid regular expression: {err}") from err
