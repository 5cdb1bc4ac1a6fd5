"""Props the CSV actions share."""

from pieces.framework import Checkbox, Option, StaticDropdown

DELIMITER = StaticDropdown(
    display_name="Delimiter",
    default=",",
    options=(
        Option(label="Comma", value=","),
        Option(label="Semicolon", value=";"),
        Option(label="Tab", value="\t"),
        Option(label="Pipe", value="|"),
    ),
)

HAS_HEADERS = Checkbox(
    display_name="First row has headers",
    description="On: rows are objects keyed by the header. Off: rows are lists.",
    default=True,
)
