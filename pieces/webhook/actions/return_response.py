"""Return Response: answer the synchronous webhook caller with a status, headers and body."""

import json
from typing import Any

from pieces.framework import (
    Action,
    ActionContext,
    Custom,
    Number,
    Object,
    Option,
    PieceError,
    StaticDropdown,
)


async def _run(ctx: ActionContext) -> dict[str, Any]:
    status = int(ctx.props["status"])
    if not 100 <= status <= 599:
        raise PieceError(f"Status code must be between 100 and 599, got {status}")
    headers = {str(k): str(v) for k, v in (ctx.props["headers"] or {}).items()}
    body = ctx.props["body"]
    if ctx.props["body_type"] == "json" and isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as err:
            raise PieceError(
                f"Body is not valid JSON ({err.msg}); choose the Raw body type to send text"
            ) from err
    elif ctx.props["body_type"] == "raw" and not isinstance(body, str):
        body = "" if body is None else json.dumps(body)
    elif ctx.props["body_type"] == "redirect":
        status, headers, body = _redirect(status, headers, body)
    ctx.run.respond(status=status, headers=headers, body=body)
    return {"status": status, "headers": headers, "body": body}


def _redirect(status: int, headers: dict[str, str], body: Any) -> tuple[int, dict[str, str], Any]:
    if not isinstance(body, str) or not body.startswith(("http://", "https://", "/")):
        raise PieceError("Body must be the URL to redirect to (http(s)://... or /path)")
    return (status if 300 <= status <= 399 else 302), {**headers, "Location": body}, None


return_response = Action(
    name="return_response",
    effects=False,
    display_name="Return Response",
    description="Return a response to the caller of a synchronous webhook; the flow goes on.",
    props={
        "status": Number(display_name="Status code", default=200),
        "headers": Object(display_name="Headers", default={}),
        "body_type": StaticDropdown(
            display_name="Body type",
            default="json",
            options=(
                Option(label="JSON", value="json"),
                Option(label="Raw text", value="raw"),
                Option(label="Redirect (the body is the URL)", value="redirect"),
            ),
        ),
        "body": Custom(
            display_name="Body",
            description="JSON (an object, list or JSON text) or raw text, per the body type.",
        ),
    },
    run=_run,
)
