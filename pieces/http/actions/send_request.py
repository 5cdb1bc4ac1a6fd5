"""Send HTTP Request: any method, headers, query, body and auth; the response as JSON, text or a file."""

from typing import Any

import httpx

from pieces.framework import Action, ActionContext, PieceError
from pieces.http.props import PROPS
from pieces.http.request import request_arguments

_BODY_SHOWN = 300


async def _run(ctx: ActionContext) -> dict[str, Any]:
    arguments = await request_arguments(ctx)
    try:
        response = await ctx.http.request(**arguments)
    except httpx.TimeoutException as err:
        raise PieceError(
            f"{arguments['method']} {arguments['url']} timed out after {arguments['timeout']} s"
        ) from err
    except httpx.TooManyRedirects as err:
        raise PieceError(f"{arguments['method']} {arguments['url']}: too many redirects") from err
    except httpx.HTTPError as err:
        raise PieceError(f"{arguments['method']} {arguments['url']} failed: {err}") from err
    if _fails(ctx.props["failureMode"], response.status_code):
        raise PieceError(
            f"{arguments['method']} {arguments['url']} answered {response.status_code} "
            f"{response.reason_phrase}: {response.text[:_BODY_SHOWN]}"
        )
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": await _body(ctx, response),
    }


def _fails(mode: str, status: int) -> bool:
    if mode == "all":
        return status >= 400
    if mode == "5xx":
        return status >= 500
    return False


async def _body(ctx: ActionContext, response: httpx.Response) -> Any:
    kind = ctx.props["responseType"]
    if kind == "file":
        name = response.url.path.rsplit("/", 1)[-1] or "response"
        return await ctx.files.write(name=name, data=response.content)
    if kind == "json" and response.content:
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


send_request = Action(
    name="send_request",
    display_name="Send HTTP Request",
    description="Send an HTTP request and get the response's status, headers and body.",
    props=PROPS,
    run=_run,
)
