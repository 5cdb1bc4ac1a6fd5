"""OAuth2 grants as functions: PKCE, the authorization URL, code exchange, client credentials, refresh."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from pieces.framework.auth import OAuth2
from pieces.framework.errors import AuthError

#: A token is refreshed when it expires within this many seconds.
REFRESH_MARGIN_S = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientInfo:
    """The OAuth2 app a connection was made with."""

    client_id: str
    client_secret: str = ""
    redirect_uri: str = ""


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def authorization_url(
    auth: OAuth2, *, client: ClientInfo, state: str, code_challenge: str | None = None
) -> str:
    """The URL a person opens to sign in; with PKCE, pass the challenge of `pkce_pair()`."""
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "scope": " ".join(auth.scope),
        "state": state,
    }
    if auth.pkce and code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    separator = "&" if "?" in auth.auth_url else "?"
    return f"{auth.auth_url}{separator}{urlencode(params)}"


async def exchange_code(
    auth: OAuth2,
    *,
    http: httpx.AsyncClient,
    client: ClientInfo,
    code: str,
    code_verifier: str | None,
    now: float,
) -> dict[str, Any]:
    """Trades an authorization code for a token (the connection value)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri}
    if code_verifier:
        form["code_verifier"] = code_verifier
    return await _token_request(auth, http=http, client=client, form=form, now=now)


async def client_credentials(
    auth: OAuth2, *, http: httpx.AsyncClient, client: ClientInfo, now: float
) -> dict[str, Any]:
    """Gets a token with the client credentials grant."""
    form = {"grant_type": "client_credentials"}
    if auth.scope:
        form["scope"] = " ".join(auth.scope)
    return await _token_request(auth, http=http, client=client, form=form, now=now)


def needs_refresh(token: dict[str, Any], *, now: float, margin: float = REFRESH_MARGIN_S) -> bool:
    """Whether the token expires within `margin` seconds (a token with no expiry never does)."""
    expires_at = token.get("expires_at")
    return isinstance(expires_at, int | float) and expires_at - margin <= now


async def refresh(
    auth: OAuth2,
    *,
    http: httpx.AsyncClient,
    client: ClientInfo,
    token: dict[str, Any],
    now: float,
) -> dict[str, Any]:
    """Returns the token as is while it is fresh, else a refreshed one.

    A client credentials token is fetched again; an authorization code token is refreshed with its
    refresh token, which is kept when the server does not send a new one.

    Raises:
        AuthError: no refresh token, or the token endpoint refused (its error is in the message).
    """
    if not needs_refresh(token, now=now):
        return token
    if auth.grant_type == "client_credentials":
        return await client_credentials(auth, http=http, client=client, now=now)
    refresh_token = token.get("refresh_token")
    if not refresh_token:
        raise AuthError("the OAuth2 token expired and has no refresh token; reconnect the account")
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    fresh = await _token_request(auth, http=http, client=client, form=form, now=now)
    return {"refresh_token": refresh_token, **fresh}


async def _token_request(
    auth: OAuth2,
    *,
    http: httpx.AsyncClient,
    client: ClientInfo,
    form: dict[str, str],
    now: float,
) -> dict[str, Any]:
    form = {**form, "client_id": client.client_id}
    if client.client_secret:
        form["client_secret"] = client.client_secret
    try:
        response = await http.post(
            auth.token_url, data=form, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as err:
        raise AuthError(f"could not reach the OAuth2 token endpoint: {err}") from err
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.is_error or not isinstance(data, dict) or "access_token" not in data:
        detail = (
            data.get("error_description") or data.get("error") if isinstance(data, dict) else None
        )
        raise AuthError(
            f"the OAuth2 token endpoint answered {response.status_code}: {detail or response.text[:200]}"
        )
    token = {key: value for key, value in data.items() if key != "expires_in"}
    expires_in = data.get("expires_in")
    if isinstance(expires_in, int | float):
        token["expires_at"] = now + expires_in
    return token
