"""Catch Webhook: every request to the flow's webhook URL starts a run."""

from typing import Any

from pieces.framework import Markdown, MarkdownVariant, Trigger, TriggerContext, TriggerStrategy


async def _run(ctx: TriggerContext) -> list[Any]:
    # The server hands the request as {method, headers, queryParams, body, rawBody}; it is the
    # trigger's output, without rawBody (the body again, as text: the run log keeps it once).
    payload = ctx.payload
    if isinstance(payload, dict) and "rawBody" in payload:
        payload = {key: value for key, value in payload.items() if key != "rawBody"}
    return [payload]


catch_webhook = Trigger(
    name="catch_webhook",
    display_name="Catch Webhook",
    description="Receive incoming HTTP requests at the flow's webhook URL.",
    type=TriggerStrategy.WEBHOOK,
    props={
        "instructions": Markdown(
            value=(
                "Send an HTTP request to **{{webhookUrl}}** to start the flow; add `/sync` to "
                "wait for the flow's Return Response, or `/test` to capture sample data."
            ),
            variant=MarkdownVariant.INFO,
        )
    },
    run=_run,
    sample_data={"method": "POST", "headers": {}, "queryParams": {}, "body": {}},
)
