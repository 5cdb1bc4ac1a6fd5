"""OAuth2 grants and token refresh against a real local token endpoint."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pieces.framework import AuthError, OAuth2, OAuth2GrantType
from pieces.framework.oauth2 import (
    ClientInfo,
    authorization_url,
    client_credentials,
    exchange_code,
    needs_refresh,
    pkce_pair,
    refresh,
)
from tests.pieces.local_http import Received, Reply, local_http_server

CLIENT = ClientInfo(client_id="cid", client_secret="secret", redirect_uri="http://127.0.0.1:9/cb")


def _form(request: Received) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}


def _token_endpoint(request: Received) -> Reply:
    form = _form(request)
    if form.get("client_secret") != "secret":
        return Reply.json(
            {"error": "invalid_client", "error_description": "bad secret"}, status=401
        )
    if form["grant_type"] == "refresh_token" and form["refresh_token"] == "revoked":
        return Reply.json({"error": "invalid_grant"}, status=400)
    return Reply.json({"access_token": f"at-{form['grant_type']}", "expires_in": 3600})


def _auth(url: str, grant: OAuth2GrantType = OAuth2GrantType.AUTHORIZATION_CODE) -> OAuth2:
    return OAuth2(
        display_name="Acme",
        auth_url="https://acme.test/authorize",
        token_url=f"{url}/token",
        scope=("read",),
        grant_type=grant,
    )


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    verifier, challenge = pkce_pair()
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert 43 <= len(verifier) <= 128


def test_authorization_url_carries_state_scope_and_challenge() -> None:
    url = authorization_url(_auth("http://x"), client=CLIENT, state="s1", code_challenge="ch")
    query = parse_qs(urlsplit(url).query)
    assert query["state"] == ["s1"]
    assert query["scope"] == ["read"]
    assert query["code_challenge"] == ["ch"]
    assert query["code_challenge_method"] == ["S256"]


async def test_code_exchange_sends_the_verifier_and_computes_expiry() -> None:
    with local_http_server(_token_endpoint) as server:
        async with httpx.AsyncClient() as http:
            token = await exchange_code(
                _auth(server.url), http=http, client=CLIENT, code="c", code_verifier="v", now=100.0
            )
    assert token == {"access_token": "at-authorization_code", "expires_at": 3700.0}
    assert _form(server.received[0])["code_verifier"] == "v"


async def test_fresh_token_is_not_refreshed() -> None:
    token = {"access_token": "a", "refresh_token": "r", "expires_at": 1000.0}
    assert not needs_refresh(token, now=900.0)
    async with httpx.AsyncClient() as http:
        same = await refresh(
            _auth("http://unused"), http=http, client=CLIENT, token=token, now=900.0
        )
    assert same is token


async def test_expiring_token_is_refreshed_and_keeps_its_refresh_token() -> None:
    token = {"access_token": "a", "refresh_token": "r", "expires_at": 1000.0}
    with local_http_server(_token_endpoint) as server:
        async with httpx.AsyncClient() as http:
            fresh = await refresh(
                _auth(server.url), http=http, client=CLIENT, token=token, now=950.0
            )
    assert fresh == {"access_token": "at-refresh_token", "refresh_token": "r", "expires_at": 4550.0}
    assert _form(server.received[0])["refresh_token"] == "r"


async def test_refused_refresh_and_missing_refresh_token_are_clear() -> None:
    with local_http_server(_token_endpoint) as server:
        async with httpx.AsyncClient() as http:
            with pytest.raises(AuthError, match="answered 400: invalid_grant"):
                await refresh(
                    _auth(server.url),
                    http=http,
                    client=CLIENT,
                    token={"access_token": "a", "refresh_token": "revoked", "expires_at": 0},
                    now=10.0,
                )
            with pytest.raises(AuthError, match="no refresh token; reconnect"):
                await refresh(
                    _auth(server.url), http=http, client=CLIENT, token={"expires_at": 0}, now=1.0
                )


async def test_client_credentials_token_is_fetched_again_when_expired() -> None:
    auth = _auth("", OAuth2GrantType.CLIENT_CREDENTIALS)
    with local_http_server(_token_endpoint) as server:
        auth = _auth(server.url, OAuth2GrantType.CLIENT_CREDENTIALS)
        async with httpx.AsyncClient() as http:
            first = await client_credentials(auth, http=http, client=CLIENT, now=0.0)
            again = await refresh(auth, http=http, client=CLIENT, token=first, now=3590.0)
            wrong = ClientInfo(client_id="cid", client_secret="nope")
            with pytest.raises(AuthError, match="answered 401: bad secret"):
                await client_credentials(auth, http=http, client=wrong, now=0.0)
    assert first["access_token"] == "at-client_credentials"
    assert again["expires_at"] == 7190.0
    assert _form(server.received[0])["scope"] == "read"
