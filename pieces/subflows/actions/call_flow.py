"""Call Flow: start another flow of the project, optionally waiting for its response."""

from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    Checkbox,
    ExecutionType,
    Json,
    ShortText,
)


async def _run(ctx: ActionContext) -> Any:
    if ctx.execution_type is ExecutionType.RESUME:
        payload = ctx.resume_payload if isinstance(ctx.resume_payload, dict) else {}
        return payload.get("body")
    flow_id = ctx.props["flow"]
    data = ctx.props.get("payload")
    if not ctx.props.get("waitForResponse"):
        run_id = await ctx.subflows.call(flow_id=flow_id, data=data, callback=None)
        return {"runId": run_id}
    waitpoint = await ctx.run.create_waitpoint()
    await ctx.subflows.call(
        flow_id=flow_id, data=data, callback={"runId": ctx.run.id, "waitpointId": waitpoint.id}
    )
    ctx.run.wait_for_waitpoint(waitpoint.id)
    return None


call_flow = Action(
    name="call_flow",
    display_name="Call Flow",
    description="Start a published flow that begins with Callable Flow, with a payload; "
    "optionally wait until it answers with Return Response.",
    props={
        "flow": ShortText(display_name="Flow", description="The flow's id.", required=True),
        "payload": Json(display_name="Payload", default={}),
        "waitForResponse": Checkbox(display_name="Wait for the response", default=False),
    },
    run=_run,
)
