"""Builds the httpx request arguments of Send HTTP Request from its validated props."""

import json
from collections.abc import Mapping
from typing import Any

import httpx

from pieces.framework import (
    FILE_REFERENCE_PREFIX,
    ActionContext,
    PieceError,
)


async def request_arguments(ctx: ActionContext) -> dict[str, Any]:
    """Method, URL, params, headers, auth, body and timeout for `httpx.AsyncClient.request`."""
    props = ctx.props
    arguments: dict[str, Any] = {
        "method": props["method"],
        "url": props["url"],
        "params": {str(k): _text(v) for k, v in (props["queryParams"] or {}).items()},
        "headers": {str(k): _text(v) for k, v in (props["headers"] or {}).items()},
        "timeout": float(props["timeout"]),
        "follow_redirects": bool(props["followRedirects"]),
    }
    fields = props["authFields"] or {}
    if props["authType"] == "BASIC":
        arguments["auth"] = httpx.BasicAuth(fields["username"], fields["password"])
    elif props["authType"] == "BEARER_TOKEN":
        arguments["headers"]["Authorization"] = f"Bearer {fields['token']}"
    arguments |= await _body(ctx, props["body_type"], props["body"])
    return arguments


async def _body(ctx: ActionContext, body_type: str, body: Any) -> dict[str, Any]:
    if body_type == "none" or body is None:
        return {}
    if body_type == "json":
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except json.JSONDecodeError as err:
                raise PieceError(
                    f"Body is not valid JSON ({err.msg}); choose the Raw body type to send text"
                ) from err
        return {"json": body}
    if body_type == "raw":
        return {"content": body if isinstance(body, str) else json.dumps(body)}
    if not isinstance(body, dict):
        raise PieceError(f"Body must be an object of fields for the {body_type} body type")
    if body_type == "form":
        return {"data": {str(k): _text(v) for k, v in body.items()}}
    return await _multipart(ctx, body)


async def _multipart(ctx: ActionContext, body: Mapping[str, Any]) -> dict[str, Any]:
    # Every field goes in `files` so httpx always sends multipart; a None file name makes a
    # plain form field.
    parts: list[tuple[str, tuple[str | None, bytes]]] = []
    for key, value in body.items():
        if isinstance(value, str) and value.startswith(FILE_REFERENCE_PREFIX):
            stored = await ctx.files.read(value)
            parts.append((str(key), (stored.name, stored.data)))
        else:
            parts.append((str(key), (None, _text(value).encode())))
    return {"files": parts}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
