"""Calls to GitHub's REST API: token auth, Link-header pagination, GitHub's errors and rate limits."""

import re
import time
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
from pieces.framework.api_errors import RateLimitedError, error_for
from pieces.framework.connection import require_connection
from pieces.framework.network import NetworkPolicy

DEFAULT_BASE_URL = "https://api.github.com"
SERVICE = "GitHub"
API_VERSION = "2022-11-28"
#: Pages read at most when listing (100 items each).
MAX_PAGES = 10
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')

github_auth = CustomAuth(
    display_name="GitHub account",
    description=(
        "A personal access token (github.com → Settings → Developer settings → Personal access "
        "tokens). Fine-grained: give the repositories Issues and Pull requests (read/write) and, "
        "for the triggers, Webhooks (read/write). Classic: the repo and admin:repo_hook scopes."
    ),
    props={
        "token": ShortText(display_name="Access token", required=True),
        "base_url": ShortText(
            display_name="API base URL",
            default=DEFAULT_BASE_URL,
            description="For GitHub Enterprise Server: https://HOST/api/v3",
            validators=(validators.url(),),
        ),
    },
)


def base_url(auth: Any) -> str:
    """The REST API base URL of a connection."""
    return str((auth or {}).get("base_url") or DEFAULT_BASE_URL).rstrip("/")


async def auth_headers(auth: Any) -> dict[str, str]:
    """Token, media type and API version headers."""
    return {
        "Authorization": f"Bearer {auth['token']}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }


def _detail(body: Any) -> str | None:
    if not isinstance(body, dict) or "message" not in body:
        return None
    text = str(body["message"])
    problems = [
        e.get("message") or f"{e.get('field')} {e.get('code')}".strip()
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    return f"{text} ({'; '.join(problems)})" if problems else text


def _rate_limited(response: httpx.Response) -> RateLimitedError | None:
    # GitHub signals an exhausted quota with 403 or 429 and x-ratelimit-remaining: 0.
    if response.status_code not in (403, 429):
        return None
    remaining = response.headers.get("x-ratelimit-remaining")
    retry_after = response.headers.get("retry-after")
    if remaining != "0" and retry_after is None:
        return None
    wait: float | None = float(retry_after) if retry_after and retry_after.isdigit() else None
    reset = response.headers.get("x-ratelimit-reset")
    if wait is None and reset and reset.isdigit():
        wait = max(0.0, int(reset) - time.time())
    message = _detail(_json(response)) or "API rate limit exceeded"
    shown = f" (retry after {wait:.0f} s)" if wait is not None else ""
    return RateLimitedError(f"GitHub rate limit reached: {message}{shown}", retry_after=wait)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def request(
    http: httpx.AsyncClient, auth: Any, method: str, path_or_url: str, **kwargs: Any
) -> httpx.Response:
    """Sends a request (a path under the base URL, or a full URL from a Link header).

    Raises:
        RateLimitedError: the quota is used up (with the wait until it resets).
        AuthError: 401/403 (bad, revoked or under-scoped token).
        PieceError: any other error status or a transport failure.
    """
    require_connection(auth, piece_name="GitHub")
    url = path_or_url if path_or_url.startswith("http") else f"{base_url(auth)}{path_or_url}"
    try:
        response = await http.request(method, url, headers=await auth_headers(auth), **kwargs)
    except httpx.TimeoutException as err:
        raise PieceError(f"GitHub did not answer in time ({method} {url})") from err
    except httpx.HTTPError as err:
        raise PieceError(f"could not reach GitHub ({method} {url}): {err}") from err
    if response.is_error:
        raise _rate_limited(response) or error_for(response, service=SERVICE, detail=_detail)
    return response


async def paginate(http: httpx.AsyncClient, auth: Any, path: str) -> list[Any]:
    """Every item of a list endpoint, following `Link: <...>; rel="next"` (up to MAX_PAGES)."""
    items: list[Any] = []
    url: str | None = path + ("&" if "?" in path else "?") + "per_page=100"
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = await request(http, auth, "GET", url)
        items.extend(response.json())
        found = _NEXT.search(response.headers.get("link", ""))
        # Follow only pages under the API's own address: the token goes with each request.
        url = found.group(1) if found and found.group(1).startswith(base_url(auth) + "/") else None
    return items


def split_repository(text: str) -> tuple[str, str]:
    """`owner/name` → (owner, name), or PieceError."""
    owner, _, name = text.strip().partition("/")
    if not owner or not name or "/" in name:
        raise PieceError(f"repository {text!r} must be owner/name, e.g. octocat/hello-world")
    return owner, name


async def repository_options(request_: OptionsRequest) -> DropdownState:
    """Repositories the token can reach (GET /user/repos, every page)."""
    if request_.auth is None:
        return DropdownState(disabled=True, placeholder="Connect GitHub first")
    async with create_http_client(NetworkPolicy.from_env()) as http:
        try:
            repos = await paginate(http, request_.auth, "/user/repos?sort=pushed")
        except PieceError as err:
            return DropdownState(disabled=True, placeholder=err.message)
    return DropdownState(
        options=tuple(Option(label=r["full_name"], value=r["full_name"]) for r in repos)
    )
