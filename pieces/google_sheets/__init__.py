"""The Google Sheets piece: append, update and find rows, and start flows on new rows."""

from pieces.framework import Piece
from pieces.framework.custom_api_call import custom_api_call
from pieces.google_sheets.actions.append_row import append_row
from pieces.google_sheets.actions.find_rows import find_rows
from pieces.google_sheets.actions.update_row import update_row
from pieces.google_sheets.client import api_url, auth_headers, google_auth
from pieces.google_sheets.triggers.new_row import new_row


def _base_url(_auth: object) -> str:
    return f"{api_url()}/v4"


piece = Piece(
    name="google_sheets",
    display_name="Google Sheets",
    version="0.1.0",
    description="Append, update and find rows in Google Sheets, and start flows on new rows.",
    logo="google_sheets.svg",
    categories=("PRODUCTIVITY",),
    auth=google_auth,
    actions=(
        append_row,
        update_row,
        find_rows,
        custom_api_call(base_url=_base_url, auth_mapping=auth_headers),
    ),
    triggers=(new_row,),
)

__all__ = ["piece"]
