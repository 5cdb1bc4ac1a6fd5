"""Calls to the Google Sheets API with an OAuth2 token, refreshed when it has expired or is refused.

The refreshed token is used for the rest of the step; it is not written back to the connection
(the framework has no way to yet), so a later step refreshes again when it needs to.
"""

import os
import re
import time
from typing import Any
from urllib.parse import quote

import httpx

from pieces.framework import AuthError, OAuth2, PieceError, create_http_client
from pieces.framework.api_errors import send
from pieces.framework.connection import require_connection
from pieces.framework.network import NetworkPolicy
from pieces.framework.oauth2 import ClientInfo, needs_refresh, refresh

SERVICE = "Google Sheets"
#: Where the API and the token endpoint are; settings so a server (or a test) can point elsewhere.
API_URL_ENV = "PW_GOOGLE_SHEETS_API_URL"
TOKEN_URL_ENV = "PW_GOOGLE_OAUTH_TOKEN_URL"
DEFAULT_API_URL = "https://sheets.googleapis.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
_ID_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")

google_auth = OAuth2(
    display_name="Google account",
    description=(
        "Sign in with Google. Own OAuth app: in Google Cloud console create an OAuth client "
        "(Desktop app), enable the Google Sheets API, and use its client id and secret."
    ),
    auth_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url=DEFAULT_TOKEN_URL,
    scope=("https://www.googleapis.com/auth/spreadsheets",),
    pkce=True,
)


def api_url() -> str:
    """The Sheets API base URL (PW_GOOGLE_SHEETS_API_URL, else Google's)."""
    return os.environ.get(API_URL_ENV, DEFAULT_API_URL).rstrip("/")


def _auth_definition() -> OAuth2:
    url = os.environ.get(TOKEN_URL_ENV)
    if not url:
        return google_auth
    return OAuth2(
        display_name=google_auth.display_name,
        auth_url=google_auth.auth_url,
        token_url=url,
        scope=google_auth.scope,
    )


async def fresh_token(
    http: httpx.AsyncClient, token: dict[str, Any], *, force: bool = False
) -> dict[str, Any]:
    """The token, refreshed with its refresh token when it expired (or `force`).

    Raises:
        AuthError: it must be refreshed but cannot be (no refresh token or client id), or Google
            refused the refresh (e.g. `invalid_grant: Token has been expired or revoked.`).
    """
    now = time.time()
    if not force and not needs_refresh(token, now=now):
        return token
    client_id = token.get("client_id") or ""
    if not client_id or not token.get("refresh_token"):
        raise AuthError("the Google token expired and cannot be refreshed; reconnect the account")
    client = ClientInfo(client_id=client_id, client_secret=token.get("client_secret") or "")
    stale = {**token, "expires_at": 0} if force else token
    refreshed = await refresh(_auth_definition(), http=http, client=client, token=stale, now=now)
    return {**token, **refreshed}


def spreadsheet_id(text: str) -> str:
    """The id from a spreadsheet id or its URL."""
    found = _ID_IN_URL.search(text)
    return found.group(1) if found else text.strip()


def a1(sheet: str, cells: str = "") -> str:
    """An A1 range in a sheet, quoted for the URL path: 'My sheet'!A5:5."""
    name = "'" + sheet.replace("'", "''") + "'"
    return quote(f"{name}!{cells}" if cells else name, safe="")


def _detail(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        status = f" ({error['status']})" if error.get("status") else ""
        return f"{error.get('message', '')}{status}"
    return None


class SheetsClient:
    """Requests under /v4/spreadsheets with the connection's token (refreshed as needed)."""

    def __init__(self, http: httpx.AsyncClient, token: dict[str, Any]) -> None:
        self.http = http
        self.token = require_connection(token, piece_name="Google Sheets")

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Sends a request; on 401 refreshes once and tries again.

        Raises:
            AuthError: the token is refused even after a refresh, or cannot be refreshed.
            RateLimitedError: 429 (RESOURCE_EXHAUSTED), with Retry-After when Google sends it.
            PieceError: any other error, quoting Google's message.
        """
        self.token = await fresh_token(self.http, self.token)
        try:
            return await self._send(method, path, **kwargs)
        except AuthError as err:
            # Only 401 means the token itself was refused (403 is a missing permission).
            if " answered 401 " not in err.message or not self.token.get("refresh_token"):
                raise
        self.token = await fresh_token(self.http, self.token, force=True)
        return await self._send(method, path, **kwargs)

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await send(
            self.http,
            method,
            f"{api_url()}/v4/spreadsheets/{path}",
            service=SERVICE,
            detail=_detail,
            headers={"Authorization": f"Bearer {self.token['access_token']}"},
            **kwargs,
        )
        try:
            return response.json()
        except ValueError as err:
            raise PieceError(f"{SERVICE} answered something that is not JSON") from err

    async def values(self, spreadsheet: str, sheet: str) -> list[list[Any]]:
        """Every row of a sheet (trailing empty cells left out, as the API does)."""
        answer = await self.request("GET", f"{spreadsheet_id(spreadsheet)}/values/{a1(sheet)}")
        rows: list[list[Any]] = answer.get("values", [])
        return rows


def as_record(headers: list[Any], row: list[Any], number: int) -> dict[str, Any]:
    """A row as `{row, values, fields}`; `fields` maps the header row's names to the cells."""
    fields = {str(h): (row[i] if i < len(row) else "") for i, h in enumerate(headers) if str(h)}
    return {"row": number, "values": row, "fields": fields}


async def auth_headers(auth: Any) -> dict[str, str]:
    """For custom_api_call: a bearer header with a token refreshed when expired."""
    async with create_http_client(NetworkPolicy.from_env()) as http:
        token = await fresh_token(http, auth)
    return {"Authorization": f"Bearer {token['access_token']}"}
