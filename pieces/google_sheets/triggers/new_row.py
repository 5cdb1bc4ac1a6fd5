"""New Row: polls a sheet and fires for each row added below the last one seen."""

from typing import Any

from pieces.framework import Trigger, TriggerContext, TriggerStrategy
from pieces.google_sheets.client import SheetsClient, as_record
from pieces.google_sheets.props import SHEET, SPREADSHEET

#: Store key (FLOW scope) of the number of rows seen.
SEEN_KEY = "google_sheets_rows_seen"
#: Rows one poll fires at most.
MAX_NEW = 100


async def _rows(ctx: TriggerContext) -> list[list[Any]]:
    return await SheetsClient(ctx.http, ctx.auth).values(
        ctx.props["spreadsheet"], ctx.props["sheet"]
    )


async def _on_enable(ctx: TriggerContext) -> None:
    await ctx.store.put(SEEN_KEY, len(await _rows(ctx)))


async def _on_disable(ctx: TriggerContext) -> None:
    await ctx.store.delete(SEEN_KEY)


async def _run(ctx: TriggerContext) -> list[Any]:
    rows = await _rows(ctx)
    seen = int(await ctx.store.get(SEEN_KEY) or 0)
    if len(rows) < seen:  # rows were deleted: carry on from the new end
        seen = len(rows)
    fresh = rows[seen : seen + MAX_NEW]
    await ctx.store.put(SEEN_KEY, seen + len(fresh))
    headers = rows[0] if rows else []
    return [
        as_record(headers, row, number)
        for number, row in enumerate(fresh, start=seen + 1)
        if any(str(cell).strip() for cell in row)
    ]


async def _test(ctx: TriggerContext) -> list[Any]:
    rows = await _rows(ctx)
    headers = rows[0] if rows else []
    start = max(2, len(rows) - 4)
    return [as_record(headers, row, n) for n, row in enumerate(rows[start - 1 :], start=start)][
        ::-1
    ]


new_row = Trigger(
    name="new_row",
    display_name="New Row",
    description="Starts the flow for each row added at the end of a sheet.",
    type=TriggerStrategy.POLLING,
    props={"spreadsheet": SPREADSHEET, "sheet": SHEET},
    run=_run,
    test=_test,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={
        "row": 7,
        "values": ["Ada", "ada@example.com", "2026-01-02"],
        "fields": {"Name": "Ada", "Email": "ada@example.com", "Signed up": "2026-01-02"},
    },
)
