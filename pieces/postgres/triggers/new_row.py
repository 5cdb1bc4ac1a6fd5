"""New Row: polls a table for rows whose ordering column is past the last one seen."""

from typing import Any

from psycopg import sql

from pieces.framework import Number, ShortText, Trigger, TriggerContext, TriggerStrategy, validators
from pieces.postgres.db import execute, table_name
from pieces.postgres.props import TABLE

#: Store key (FLOW scope) of the last ordering value seen.
LAST_KEY = "postgres_last_value"


def _query(ctx: TriggerContext, *, after: bool, newest_first: bool) -> sql.Composed:
    column = sql.Identifier(ctx.props["order_column"])
    return sql.SQL("SELECT * FROM {} {} ORDER BY {} {} LIMIT {}").format(
        table_name(ctx.props["table"]),
        sql.SQL("WHERE {} > $1").format(column) if after else sql.SQL(""),
        column,
        sql.SQL("DESC" if newest_first else "ASC"),
        sql.Literal(int(ctx.props["batch_size"])),
    )


async def _newest(ctx: TriggerContext) -> Any:
    result = await execute(ctx.auth, _query(ctx, after=False, newest_first=True))
    return result["rows"][0][ctx.props["order_column"]] if result["rows"] else None


async def _on_enable(ctx: TriggerContext) -> None:
    await ctx.store.put(LAST_KEY, {"value": await _newest(ctx)})


async def _on_disable(ctx: TriggerContext) -> None:
    await ctx.store.delete(LAST_KEY)


async def _run(ctx: TriggerContext) -> list[Any]:
    state = await ctx.store.get(LAST_KEY)
    last = state.get("value") if isinstance(state, dict) else None
    if last is None:
        result = await execute(ctx.auth, _query(ctx, after=False, newest_first=False))
    else:
        result = await execute(ctx.auth, _query(ctx, after=True, newest_first=False), [last])
    rows: list[dict[str, Any]] = result["rows"]
    if rows:
        await ctx.store.put(LAST_KEY, {"value": rows[-1][ctx.props["order_column"]]})
    return rows


async def _test(ctx: TriggerContext) -> list[Any]:
    result = await execute(ctx.auth, _query(ctx, after=False, newest_first=True))
    rows: list[Any] = result["rows"][:5]
    return rows


new_row = Trigger(
    name="new_row",
    display_name="New Row",
    description=(
        "Starts the flow for each new row, found by a column that grows with each insert "
        "(an id sequence or a created-at time)."
    ),
    type=TriggerStrategy.POLLING,
    props={
        "table": TABLE,
        "order_column": ShortText(
            display_name="Ordering column",
            description="A column whose value grows with each new row, e.g. id or created_at",
            required=True,
        ),
        "batch_size": Number(
            display_name="Rows per poll",
            default=100,
            validators=(validators.min_value(1), validators.max_value(1000)),
        ),
    },
    run=_run,
    test=_test,
    on_enable=_on_enable,
    on_disable=_on_disable,
    sample_data={"id": 42, "email": "ada@example.com", "created_at": "2026-01-02T10:00:00+00:00"},
)
