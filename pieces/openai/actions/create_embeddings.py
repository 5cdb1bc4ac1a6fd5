"""Create Embeddings: vectors for one text or a list of texts."""

from typing import Any

from pieces.framework import Action, ActionContext, Json, Number, PieceError, validators
from pieces.openai.client import SERVICE, call
from pieces.openai.props import model


def _texts(value: Any) -> str | None:
    ok = isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    )
    return None if ok else "must be a text or a list of texts"


async def _run(ctx: ActionContext) -> dict[str, Any]:
    body: dict[str, Any] = {"model": ctx.props["model"], "input": ctx.props["input"]}
    if ctx.props["dimensions"] is not None:
        body["dimensions"] = ctx.props["dimensions"]
    answer = await call(ctx.http, ctx.auth, "POST", "/embeddings", json=body)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise PieceError(f"{SERVICE} answered with no embeddings: {str(answer)[:200]}")
    vectors = [item["embedding"] for item in sorted(data, key=lambda item: item.get("index", 0))]
    return {
        "embeddings": vectors,
        "embedding": vectors[0] if vectors else None,
        "model": answer.get("model"),
        "usage": answer.get("usage"),
    }


create_embeddings = Action(
    name="create_embeddings",
    display_name="Create Embeddings",
    description="Turn texts into vectors for search and similarity.",
    props={
        "model": model("text-embedding-3-small"),
        "input": Json(
            display_name="Text(s)",
            description='A text, or a JSON list of texts: ["first", "second"]',
            required=True,
            validators=(_texts,),
        ),
        "dimensions": Number(display_name="Dimensions", validators=(validators.min_value(1),)),
    },
    run=_run,
)
