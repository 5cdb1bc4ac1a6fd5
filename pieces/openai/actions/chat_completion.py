"""Chat Completion: send a prompt (with a system prompt and earlier messages) and get the answer."""

from typing import Any

from pieces.framework import Action, ActionContext, Json, LongText, Number, validators
from pieces.openai.chat import complete, messages
from pieces.openai.props import model


async def _run(ctx: ActionContext) -> dict[str, Any]:
    props = ctx.props
    body: dict[str, Any] = {
        "model": props["model"],
        "messages": messages(
            system=props["system_prompt"], prompt=props["prompt"], history=props["messages"]
        ),
    }
    if props["temperature"] is not None:
        body["temperature"] = props["temperature"]
    if props["max_tokens"] is not None:
        body["max_completion_tokens"] = props["max_tokens"]
    return await complete(ctx.http, ctx.auth, body)


chat_completion = Action(
    name="chat_completion",
    display_name="Chat Completion",
    description="Ask a chat model and get its answer.",
    props={
        "model": model("gpt-4o-mini"),
        "prompt": LongText(display_name="Prompt", required=True),
        "system_prompt": LongText(
            display_name="System prompt", description="How the model should behave"
        ),
        "messages": Json(
            display_name="Earlier messages",
            description='A list of {"role": "user"|"assistant", "content": "..."} before the prompt',
        ),
        "temperature": Number(
            display_name="Temperature",
            validators=(validators.min_value(0), validators.max_value(2)),
        ),
        "max_tokens": Number(display_name="Maximum tokens", validators=(validators.min_value(1),)),
    },
    run=_run,
)
