"""Calls to an OpenAI-compatible API (OpenAI, Ollama, LM Studio, vLLM, ...) with the connection."""

from typing import Any

import httpx

from pieces.framework import (
    CustomAuth,
    DropdownState,
    Option,
    OptionsRequest,
    PieceError,
    ShortText,
    create_http_client,
    validators,
)
from pieces.framework.api_errors import send
from pieces.framework.network import NetworkPolicy

#: OpenAI's API; a local server's is e.g. http://localhost:11434/v1 (Ollama).
DEFAULT_BASE_URL = "https://api.openai.com/v1"
SERVICE = "OpenAI API"
#: Seconds to wait for a completion (local models can be slow).
TIMEOUT_S = 300.0

openai_auth = CustomAuth(
    display_name="OpenAI-compatible API",
    description=(
        "An API key from platform.openai.com (API keys). For a local server such as Ollama, set "
        "the base URL (http://localhost:11434/v1) and leave the key empty; local addresses must "
        "be allowed in PW_SSRF_ALLOW_LIST."
    ),
    props={
        "api_key": ShortText(display_name="API key"),
        "base_url": ShortText(
            display_name="Base URL", default=DEFAULT_BASE_URL, validators=(validators.url(),)
        ),
        "organization": ShortText(display_name="Organization ID"),
    },
)


def base_url(auth: Any) -> str:
    """The API base URL of a connection, without a trailing slash."""
    return str((auth or {}).get("base_url") or DEFAULT_BASE_URL).rstrip("/")


async def headers(auth: Any) -> dict[str, str]:
    """The request headers of a connection: bearer key and organization when set."""
    found = {}
    if (auth or {}).get("api_key"):
        found["Authorization"] = f"Bearer {auth['api_key']}"
    if (auth or {}).get("organization"):
        found["OpenAI-Organization"] = auth["organization"]
    return found


def _detail(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = f" ({error['code']})" if error.get("code") else ""
        return f"{error.get('message', '')}{code}"
    return error if isinstance(error, str) else None


async def call(http: httpx.AsyncClient, auth: Any, method: str, path: str, **kwargs: Any) -> Any:
    """Sends a request under the base URL and returns the decoded JSON answer.

    Raises:
        AuthError: a wrong or revoked key (401/403).
        RateLimitedError: 429, with the wait asked for.
        PieceError: any other error, quoting the API's message.
    """
    response = await send(
        http,
        method,
        f"{base_url(auth)}/{path.lstrip('/')}",
        service=SERVICE,
        detail=_detail,
        headers=await headers(auth),
        timeout=TIMEOUT_S,
        **kwargs,
    )
    try:
        return response.json()
    except ValueError as err:
        raise PieceError(
            f"{SERVICE} answered something that is not JSON: {response.text[:200]}"
        ) from err


async def model_options(request: OptionsRequest) -> DropdownState:
    """The models the connection can use (GET /models), for the model dropdowns."""
    if request.auth is None:
        return DropdownState(disabled=True, placeholder="Connect an account first")
    async with create_http_client(NetworkPolicy.from_env()) as http:
        try:
            answer = await call(http, request.auth, "GET", "/models")
        except PieceError as err:
            return DropdownState(disabled=True, placeholder=err.message)
    ids = sorted(m["id"] for m in answer.get("data", []) if isinstance(m, dict) and "id" in m)
    needle = request.search.lower()
    return DropdownState(
        options=tuple(Option(label=i, value=i) for i in ids if needle in i.lower())
    )
