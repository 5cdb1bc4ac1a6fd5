"""Props shared by the Google Sheets actions and trigger."""

from pieces.framework import Array, Number, ShortText, validators

SPREADSHEET = ShortText(
    display_name="Spreadsheet",
    description="Its ID or URL (docs.google.com/spreadsheets/d/ID/...)",
    required=True,
)
SHEET = ShortText(display_name="Sheet", description="The tab's name", default="Sheet1")
VALUES = Array(
    display_name="Values", description="The cells of the row, left to right", required=True
)
ROW = Number(
    display_name="Row number",
    description="1 is the first row (usually the headers)",
    required=True,
    validators=(validators.min_value(1),),
)
