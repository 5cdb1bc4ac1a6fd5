"""Append Row: add a row after the last row of a sheet."""

from typing import Any

from pieces.framework import Action, ActionContext, Checkbox
from pieces.google_sheets.client import SheetsClient, a1, spreadsheet_id
from pieces.google_sheets.props import SHEET, SPREADSHEET, VALUES


async def _run(ctx: ActionContext) -> dict[str, Any]:
    client = SheetsClient(ctx.http, ctx.auth)
    answer = await client.request(
        "POST",
        f"{spreadsheet_id(ctx.props['spreadsheet'])}/values/{a1(ctx.props['sheet'])}:append",
        params={
            "valueInputOption": "USER_ENTERED" if ctx.props["as_typed"] else "RAW",
            "insertDataOption": "INSERT_ROWS",
            "includeValuesInResponse": "true",
        },
        json={"values": [ctx.props["values"]]},
    )
    updates = answer.get("updates", {})
    return {
        "spreadsheetId": answer.get("spreadsheetId"),
        "range": updates.get("updatedRange"),
        "values": (updates.get("updatedData") or {}).get("values", [[]])[0],
    }


append_row = Action(
    name="append_row",
    display_name="Append Row",
    description="Add a row at the end of a sheet.",
    props={
        "spreadsheet": SPREADSHEET,
        "sheet": SHEET,
        "values": VALUES,
        "as_typed": Checkbox(
            display_name="Interpret values as typed",
            description="On: =formulas, numbers and dates as if typed into the sheet",
            default=True,
        ),
    },
    run=_run,
)
