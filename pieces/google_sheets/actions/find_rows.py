"""Find Rows: the rows whose cell in a column matches a value."""

from typing import Any

from pieces.framework import Action, ActionContext, Checkbox, PieceError, ShortText
from pieces.google_sheets.client import SheetsClient, as_record
from pieces.google_sheets.props import SHEET, SPREADSHEET


def column_index(column: str, headers: list[Any]) -> int:
    """The index of a column given as a header name or a letter (A, B, ..., AA)."""
    names = [str(h) for h in headers]
    if column in names:
        return names.index(column)
    if column.isalpha() and column.isupper():
        index = 0
        for letter in column:
            index = index * 26 + (ord(letter) - ord("A") + 1)
        return index - 1
    raise PieceError(f"no column {column!r}: the headers are {', '.join(names) or 'empty'}")


async def _run(ctx: ActionContext) -> dict[str, Any]:
    rows = await SheetsClient(ctx.http, ctx.auth).values(
        ctx.props["spreadsheet"], ctx.props["sheet"]
    )
    if not rows:
        return {"rows": [], "count": 0}
    headers, wanted = rows[0], str(ctx.props["value"])
    index = column_index(ctx.props["column"], headers)
    exact = ctx.props["exact"]
    found = []
    for number, row in enumerate(rows[1:], start=2):
        cell = str(row[index]) if index < len(row) else ""
        if (cell == wanted) if exact else (wanted.lower() in cell.lower()):
            found.append(as_record(headers, row, number))
    return {"rows": found, "count": len(found)}


find_rows = Action(
    name="find_rows",
    display_name="Find Rows",
    description="Find the rows whose cell in a column equals (or contains) a value.",
    props={
        "spreadsheet": SPREADSHEET,
        "sheet": SHEET,
        "column": ShortText(
            display_name="Column",
            description="A header name, or a letter (A, B, ...)",
            required=True,
        ),
        "value": ShortText(display_name="Value", required=True),
        "exact": Checkbox(
            display_name="Exact match", description="Off: contains, any case", default=True
        ),
    },
    run=_run,
)
