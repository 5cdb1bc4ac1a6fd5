"""Return Response: answer the flow that called this one and waits."""

from typing import Any

from pieces.framework import Action, ActionContext, Json


async def _run(ctx: ActionContext) -> Any:
    body = ctx.props.get("response")
    answered = await ctx.subflows.respond(body)
    return {"response": body, "delivered": answered}


return_response = Action(
    name="return_response",
    display_name="Return Response",
    description="Send a response to the flow that called this flow with Call Flow "
    "(when it waits for one); the run goes on.",
    props={"response": Json(display_name="Response", default={})},
    run=_run,
)
