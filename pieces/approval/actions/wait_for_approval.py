"""Wait for Approval: pause until the run is approved or disapproved."""

from typing import Any

from pieces.framework import Action, ActionContext, ExecutionType, ShortText


def approved(payload: Any) -> bool:
    """Whether a resume payload approves: `?action=approve`, or a body with `action: approve`
    or `approved: true`."""
    if not isinstance(payload, dict):
        return False
    query = payload.get("queryParams") or {}
    body = payload.get("body")
    if isinstance(query, dict) and "action" in query:
        return str(query["action"]).lower() == "approve"
    if isinstance(body, dict):
        if "approved" in body:
            return body["approved"] is True
        return str(body.get("action", "")).lower() == "approve"
    return False


async def _run(ctx: ActionContext) -> Any:
    if ctx.execution_type is ExecutionType.RESUME:
        return {"approved": approved(ctx.resume_payload)}
    waitpoint_id = ctx.props.get("waitpointId")
    if not waitpoint_id:
        waitpoint = await ctx.run.create_waitpoint()
        waitpoint_id = waitpoint.id
    ctx.run.wait_for_waitpoint(waitpoint_id)
    return None


wait_for_approval = Action(
    name="wait_for_approval",
    display_name="Wait for Approval",
    description="Pause the run until it is approved or disapproved; output {approved}.",
    props={
        "waitpointId": ShortText(
            display_name="Approval links",
            description="The waitpointId of a Create Approval Links step, e.g. "
            "{{create_approval_links.waitpointId}}; empty: the run's own resume link decides.",
        )
    },
    run=_run,
)
