"""Chat completions: building the messages and reading the answer."""

from typing import Any

import httpx

from pieces.framework import PieceError
from pieces.openai.client import SERVICE, call


def messages(*, system: str | None, prompt: str, history: Any) -> list[dict[str, Any]]:
    """System prompt, earlier messages (a list of {role, content}) and the prompt, in order."""
    found: list[dict[str, Any]] = []
    if system:
        found.append({"role": "system", "content": system})
    for index, message in enumerate(history or [], start=1):
        if not isinstance(message, dict) or "role" not in message or "content" not in message:
            raise PieceError(f"Messages: item {index} must be an object with role and content")
        found.append({"role": message["role"], "content": message["content"]})
    found.append({"role": "user", "content": prompt})
    return found


async def complete(http: httpx.AsyncClient, auth: Any, body: dict[str, Any]) -> dict[str, Any]:
    """POST /chat/completions; returns `{content, message, finishReason, model, usage, id}`."""
    answer = await call(http, auth, "POST", "/chat/completions", json=body)
    choices = answer.get("choices") if isinstance(answer, dict) else None
    if not choices:
        raise PieceError(f"{SERVICE} answered with no choices: {str(answer)[:200]}")
    choice = choices[0]
    message = choice.get("message") or {}
    if message.get("refusal"):
        raise PieceError(f"the model refused: {message['refusal']}")
    return {
        "content": message.get("content"),
        "message": message,
        "finishReason": choice.get("finish_reason"),
        "model": answer.get("model"),
        "usage": answer.get("usage"),
        "id": answer.get("id"),
    }
