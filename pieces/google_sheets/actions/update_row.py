"""Update Row: overwrite the cells of one row."""

from typing import Any

from pieces.framework import Action, ActionContext
from pieces.google_sheets.client import SheetsClient, a1, spreadsheet_id
from pieces.google_sheets.props import ROW, SHEET, SPREADSHEET, VALUES


async def _run(ctx: ActionContext) -> dict[str, Any]:
    row = int(ctx.props["row_number"])
    client = SheetsClient(ctx.http, ctx.auth)
    answer = await client.request(
        "PUT",
        f"{spreadsheet_id(ctx.props['spreadsheet'])}/values/{a1(ctx.props['sheet'], f'A{row}')}",
        params={"valueInputOption": "USER_ENTERED", "includeValuesInResponse": "true"},
        json={"values": [ctx.props["values"]]},
    )
    return {
        "range": answer.get("updatedRange"),
        "updatedCells": answer.get("updatedCells"),
        "values": (answer.get("updatedData") or {}).get("values", [[]])[0],
    }


update_row = Action(
    name="update_row",
    display_name="Update Row",
    description="Overwrite the cells of a row, from column A.",
    props={"spreadsheet": SPREADSHEET, "sheet": SHEET, "row_number": ROW, "values": VALUES},
    run=_run,
)
