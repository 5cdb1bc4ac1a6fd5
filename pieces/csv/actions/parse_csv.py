"""Parse CSV: CSV text to a list of rows (objects keyed by the header, or lists)."""

import csv
import io
from typing import Any

from pieces.csv.props import DELIMITER, HAS_HEADERS
from pieces.framework import Action, ActionContext, LongText, PieceError


async def _run(ctx: ActionContext) -> list[Any]:
    text: str = ctx.props["csv_text"]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=ctx.props["delimiter"])
    try:
        rows = [row for row in reader if row]
    except csv.Error as err:
        raise PieceError(f"CSV text could not be parsed at line {reader.line_num}: {err}") from err
    if not ctx.props["has_headers"] or not rows:
        return rows
    header, *body = rows
    return [_record(header, row) for row in body]


def _record(header: list[str], row: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        name: (row[i] if i < len(row) else "") for i, name in enumerate(header)
    }
    if len(row) > len(header):
        record["_extra"] = row[len(header) :]
    return record


parse_csv = Action(
    name="parse_csv",
    effects=False,
    display_name="Parse CSV",
    description="Turn CSV text into a list of rows.",
    props={
        "csv_text": LongText(display_name="CSV text", required=True),
        "has_headers": HAS_HEADERS,
        "delimiter": DELIMITER,
    },
    run=_run,
)
