"""Sign-in tokens: short-lived access JWTs, longer-lived refresh JWTs, and how both are checked.

Both carry the user's `token_version` (`ver`); raising it (deactivating the user, signing out
everywhere) invalidates every token issued before.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from server.db.base import utcnow
from server.services.errors import AuthenticationError

ACCESS = "user"
REFRESH = "refresh"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenSettings:
    """What token issuing and checking needs."""

    jwt_secret: str
    expiry: timedelta
    refresh_expiry: timedelta = timedelta(days=30)
    local_token: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair:
    """An access token, when it expires, and the refresh token that gets the next pair."""

    token: str
    expires_at: datetime
    refresh_token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenClaims:
    """The checked claims of a token: whose it is and the token version it was issued at."""

    user_id: str
    version: int


def issue_tokens(tokens: TokenSettings, user_id: str, *, version: int) -> TokenPair:
    """A new access token and refresh token for the user."""
    now = utcnow()
    expires_at = now + tokens.expiry
    return TokenPair(
        token=_encode(tokens, user_id, version=version, kind=ACCESS, expires_at=expires_at),
        expires_at=expires_at,
        refresh_token=_encode(
            tokens, user_id, version=version, kind=REFRESH, expires_at=now + tokens.refresh_expiry
        ),
    )


def decode(tokens: TokenSettings, token: str, *, kind: str) -> TokenClaims:
    """The claims of a token of this kind (ACCESS or REFRESH).

    Raises:
        AuthenticationError: expired, forged, malformed or of the other kind.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token, tokens.jwt_secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError(
            "Your session has expired; sign in again", code="TOKEN_EXPIRED"
        ) from None
    except jwt.InvalidTokenError:
        raise AuthenticationError(
            "The token is not valid; sign in again", code="INVALID_TOKEN"
        ) from None
    if claims.get("typ", ACCESS) != kind:
        raise AuthenticationError(
            "This is a refresh token; send it to /authentication/refresh"
            if kind == ACCESS
            else "This is not a refresh token",
            code="INVALID_TOKEN",
        )
    version = claims.get("ver", 0)
    return TokenClaims(
        user_id=str(claims["sub"]), version=version if isinstance(version, int) else -1
    )


def _encode(
    tokens: TokenSettings, user_id: str, *, version: int, kind: str, expires_at: datetime
) -> str:
    claims = {"sub": user_id, "iat": utcnow(), "exp": expires_at, "typ": kind, "ver": version}
    return jwt.encode(claims, tokens.jwt_secret, algorithm="HS256")
