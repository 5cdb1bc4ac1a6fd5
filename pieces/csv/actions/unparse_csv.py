"""Unparse CSV: a list of rows (objects or lists) to CSV text."""

import csv
import io
import json
from typing import Any

from pieces.csv.props import DELIMITER, HAS_HEADERS
from pieces.framework import Action, ActionContext, Json, PieceError


async def _run(ctx: ActionContext) -> str:
    rows = ctx.props["csv_object"]
    if not isinstance(rows, list):
        raise PieceError("Rows must be a list of objects or of lists")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=ctx.props["delimiter"], lineterminator="\n")
    if rows and all(isinstance(row, dict) for row in rows):
        header = list(dict.fromkeys(key for row in rows for key in row))
        if ctx.props["has_headers"]:
            writer.writerow(header)
        writer.writerows([_cell(row.get(key)) for key in header] for row in rows)
    elif all(isinstance(row, list) for row in rows):
        writer.writerows([_cell(value) for value in row] for row in rows)
    else:
        raise PieceError("Rows must be all objects or all lists, not a mix")
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


unparse_csv = Action(
    name="unparse_csv",
    effects=False,
    display_name="Unparse CSV",
    description="Turn a list of rows (objects or lists) into CSV text.",
    props={
        "csv_object": Json(display_name="Rows", required=True),
        "has_headers": HAS_HEADERS,
        "delimiter": DELIMITER,
    },
    run=_run,
)
