"""A `custom_api_call` action factory: any request to a piece's API, with its auth applied."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from pieces.framework.action import Action
from pieces.framework.context import ActionContext
from pieces.framework.errors import PieceError
from pieces.framework.props import (
    Json,
    Number,
    Object,
    Option,
    ShortText,
    StaticDropdown,
    validators,
)

#: Turns the connection value into request headers (e.g. {"Authorization": "Bearer ..."}).
AuthMapping = Callable[[Any], Awaitable[dict[str, str]]]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def custom_api_call(
    *,
    base_url: Callable[[Any], str],
    auth_mapping: AuthMapping | None = None,
    display_name: str = "Custom API Call",
) -> Action:
    """An action named `custom_api_call` that sends a request under the API's base URL.

    The URL prop is a path relative to `base_url(auth)` (or a full URL under it); a URL outside
    the base is refused so the connection's credentials never go to another host.

    Args:
        base_url: the API base URL for a connection value.
        auth_mapping: the headers that authenticate a request for a connection value.
        display_name: the title in the piece selector.
    """

    async def run(ctx: ActionContext) -> dict[str, Any]:
        url = _resolve(base_url(ctx.auth), ctx.props["url"])
        headers = {str(k): str(v) for k, v in (ctx.props["headers"] or {}).items()}
        if auth_mapping is not None:
            headers |= await auth_mapping(ctx.auth)
        body = ctx.props["body"]
        try:
            response = await ctx.http.request(
                ctx.props["method"],
                url,
                headers=headers,
                params={str(k): str(v) for k, v in (ctx.props["queryParams"] or {}).items()},
                json=body if body is not None else None,
                timeout=float(ctx.props["timeout"]),
            )
        except httpx.HTTPError as err:
            raise PieceError(f"{ctx.props['method']} {url} failed: {err!s}") from err
        if response.is_error and ctx.props["failureMode"] == "all":
            raise PieceError(
                f"{ctx.props['method']} {url} answered {response.status_code}: {response.text[:300]}"
            )
        try:
            data: Any = response.json()
        except ValueError:
            data = response.text
        return {"status": response.status_code, "headers": dict(response.headers), "body": data}

    return Action(
        name="custom_api_call",
        display_name=display_name,
        description="Send any request to this API, authenticated with the connection.",
        props={
            "url": ShortText(
                display_name="URL", description="A path such as /v1/items", required=True
            ),
            "method": StaticDropdown(
                display_name="Method",
                default="GET",
                options=tuple(Option(label=m, value=m) for m in _METHODS),
            ),
            "headers": Object(display_name="Headers", default={}),
            "queryParams": Object(display_name="Query parameters", default={}),
            "body": Json(display_name="Body (JSON)"),
            "failureMode": StaticDropdown(
                display_name="On error status",
                default="all",
                options=(
                    Option(label="Fail the step on 4xx and 5xx", value="all"),
                    Option(label="Return the response", value="none"),
                ),
            ),
            "timeout": Number(
                display_name="Timeout (seconds)",
                default=30,
                validators=(validators.min_value(0.001),),
            ),
        },
        run=run,
    )


def _resolve(base: str, url: str) -> str:
    base = base.rstrip("/")
    if url.startswith(("http://", "https://")):
        if url != base and not url.startswith(base + "/"):
            raise PieceError(f"URL {url!r} is not under this API's base URL {base!r}")
        return url
    return f"{base}/{url.lstrip('/')}"
