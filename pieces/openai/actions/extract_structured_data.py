"""Extract Structured Data: have the model fill a JSON schema from a text; the output is that JSON."""

import json
from typing import Any

from pieces.framework import Action, ActionContext, Json, LongText, PieceError, ShortText
from pieces.openai.chat import complete, messages
from pieces.openai.props import model

_SYSTEM = (
    "Extract the requested information from the user's text. Answer with JSON that matches the "
    "schema exactly; use null for anything the text does not say."
)


def _schema(value: Any) -> str | None:
    if not isinstance(value, dict) or value.get("type") != "object":
        return 'must be a JSON schema object with "type": "object"'
    return None


async def _run(ctx: ActionContext) -> dict[str, Any]:
    props = ctx.props
    system = _SYSTEM + (f"\n{props['instructions']}" if props["instructions"] else "")
    body = {
        "model": props["model"],
        "messages": messages(system=system, prompt=props["text"], history=None),
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": props["schema_name"],
                "schema": props["schema"],
                "strict": False,
            },
        },
    }
    answer = await complete(ctx.http, ctx.auth, body)
    content = answer["content"] or ""
    try:
        data = json.loads(content)
    except ValueError as err:
        raise PieceError(f"the model did not answer with JSON: {content[:300]}") from err
    missing = [key for key in props["schema"].get("required", []) if key not in data]
    if not isinstance(data, dict) or missing:
        raise PieceError(f"the model's answer lacks required fields {missing}: {content[:300]}")
    return {"data": data, "model": answer["model"], "usage": answer["usage"]}


extract_structured_data = Action(
    name="extract_structured_data",
    display_name="Extract Structured Data",
    description="Turn free text into JSON that follows a schema (names, dates, amounts, ...).",
    props={
        "model": model("gpt-4o-mini"),
        "text": LongText(display_name="Text", required=True),
        "schema": Json(
            display_name="JSON schema",
            description='e.g. {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}',
            required=True,
            validators=(_schema,),
        ),
        "schema_name": ShortText(display_name="Schema name", default="extraction"),
        "instructions": LongText(display_name="Extra instructions"),
    },
    run=_run,
)
