"""Send HTTP Request: any method, headers, query, body and auth; the response as JSON, text or a file."""

import json
from typing import Any

import httpx

from pieces.framework import Action, ActionContext, PieceError
from pieces.http.props import PROPS
from pieces.http.request import request_arguments

_BODY_SHOWN = 300
#: Largest response body read (PW_MAX_FILE_SIZE_MB default); a larger one fails the step.
MAX_RESPONSE_BYTES = 25 * 1024 * 1024


async def _run(ctx: ActionContext) -> dict[str, Any]:
    arguments = await request_arguments(ctx)
    where = f"{arguments['method']} {arguments['url']}"
    try:
        async with ctx.http.stream(**arguments) as response:
            content = await _read(response, where=where)
    except httpx.TimeoutException as err:
        raise PieceError(f"{where} timed out after {arguments['timeout']} s") from err
    except httpx.TooManyRedirects as err:
        raise PieceError(f"{where}: too many redirects") from err
    except httpx.HTTPError as err:
        raise PieceError(f"{where} failed: {err}") from err
    text = content.decode(response.encoding or "utf-8", errors="replace")
    if _fails(ctx.props["failureMode"], response.status_code):
        raise PieceError(
            f"{where} answered {response.status_code} {response.reason_phrase}: "
            f"{text[:_BODY_SHOWN]}"
        )
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": await _body(ctx, response, content=content, text=text),
    }


async def _read(response: httpx.Response, *, where: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise PieceError(
                f"{where}: the response is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _fails(mode: str, status: int) -> bool:
    if mode == "all":
        return status >= 400
    if mode == "5xx":
        return status >= 500
    return False


async def _body(ctx: ActionContext, response: httpx.Response, *, content: bytes, text: str) -> Any:
    kind = ctx.props["responseType"]
    if kind == "file":
        name = response.url.path.rsplit("/", 1)[-1] or "response"
        return await ctx.files.write(name=name, data=content)
    if kind == "json" and content:
        try:
            return json.loads(content)
        except ValueError:
            return text
    return text


send_request = Action(
    name="send_request",
    display_name="Send HTTP Request",
    description="Send an HTTP request and get the response's status, headers and body.",
    props=PROPS,
    run=_run,
)
