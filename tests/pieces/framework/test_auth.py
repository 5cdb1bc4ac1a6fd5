"""Auth kinds: connection value shapes, the optional validate check, and their metadata."""

from typing import Any

import pytest

from pieces.framework import (
    AuthError,
    BasicAuth,
    CustomAuth,
    Number,
    OAuth2,
    OAuth2GrantType,
    SecretText,
    ShortText,
)


async def _reject_unless_good(value: Any) -> str | None:
    return None if value == "good-key" else "the API key was refused"


async def test_secret_text_requires_text_and_runs_validate() -> None:
    auth = SecretText(display_name="API key", validate=_reject_unless_good)
    assert await auth.check("good-key") == "good-key"
    with pytest.raises(AuthError, match="API key: the API key was refused"):
        await auth.check("bad-key")
    with pytest.raises(AuthError, match="expected the secret as non-empty text"):
        await auth.check({"key": 1})


async def test_basic_auth_needs_a_username_and_text_password() -> None:
    auth = BasicAuth(display_name="Login")
    assert await auth.check({"username": "u", "password": "p", "x": 1}) == {
        "username": "u",
        "password": "p",
    }
    with pytest.raises(AuthError, match=r"Login: expected \{username, password\}"):
        await auth.check("u:p")
    with pytest.raises(AuthError, match="password must be text"):
        await auth.check({"username": "u", "password": 3})
    assert set(auth.metadata().props or {}) == {"username", "password"}


async def test_custom_auth_validates_its_fields_and_names_them() -> None:
    auth = CustomAuth(
        display_name="Server",
        props={
            "base_url": ShortText(display_name="Base URL", required=True),
            "port": Number(display_name="Port", default=443),
        },
    )
    assert await auth.check({"base_url": "https://x"}) == {"base_url": "https://x", "port": 443}
    with pytest.raises(AuthError, match="Server: base_url: Base URL is required"):
        await auth.check({"port": "1"})
    with pytest.raises(AuthError, match="expected an object of connection fields"):
        await auth.check("x")


async def test_oauth2_value_needs_an_access_token_and_metadata_describes_the_grant() -> None:
    auth = OAuth2(
        display_name="Acme",
        auth_url="https://acme.test/authorize",
        token_url="https://acme.test/token",
        scope=("read", "write"),
        grant_type=OAuth2GrantType.CLIENT_CREDENTIALS,
    )
    assert await auth.check({"access_token": "t"}) == {"access_token": "t"}
    with pytest.raises(AuthError, match="access_token"):
        await auth.check({"token": "t"})
    schema = auth.metadata()
    assert schema.type == "OAUTH2"
    assert schema.grant_type == "client_credentials"
    assert schema.scope == ["read", "write"]
    assert schema.pkce is True
