"""Create Approval Links: links that resume a later Wait for Approval step."""

from typing import Any

from pieces.framework import Action, ActionContext


async def _run(ctx: ActionContext) -> Any:
    waitpoint = await ctx.run.create_waitpoint()
    return {
        "approveLink": waitpoint.build_resume_url({"action": "approve"}),
        "disapproveLink": waitpoint.build_resume_url({"action": "disapprove"}),
        "waitpointId": waitpoint.id,
    }


create_approval_links = Action(
    name="create_approval_links",
    display_name="Create Approval Links",
    description="Make approve and disapprove links to send (by email, chat, ...); a later "
    "Wait for Approval step with this step's waitpointId pauses until one is clicked.",
    props={},
    run=_run,
)
