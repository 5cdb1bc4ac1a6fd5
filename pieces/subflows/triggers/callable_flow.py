"""Callable Flow: the flow starts when another flow calls it."""

from typing import Any

from pieces.framework import Json, Trigger, TriggerContext, TriggerStrategy


async def _run(ctx: TriggerContext) -> list[Any]:
    # The server starts the run with {data, callback}; `callback` is set when the caller waits.
    payload = ctx.payload if isinstance(ctx.payload, dict) else {"data": ctx.payload}
    return [{"data": payload.get("data"), "callback": payload.get("callback")}]


callable_flow = Trigger(
    name="callable_flow",
    display_name="Callable Flow",
    description="Start this flow from another flow's Call Flow step.",
    type=TriggerStrategy.WEBHOOK,
    props={
        "exampleData": Json(
            display_name="Example data",
            description="What callers send, for testing this flow and for the data panel.",
        )
    },
    run=_run,
    sample_data={"data": {}, "callback": None},
)
