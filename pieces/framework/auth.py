"""Auth: how a piece is connected (secret text, basic, custom fields, OAuth2) and its checks."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from engine.model.pieces import AuthSchema, PropSchema
from pieces.framework.errors import AuthError, PropsValidationError
from pieces.framework.props import Prop, ShortText, validate_props

#: Checks a connection against the service; returns what is wrong, or None when it works.
AuthValidator = Callable[[Any], Awaitable[str | None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Auth:
    """The base of every auth kind. A piece with no auth has `auth=None`.

    Attributes:
        display_name: the title of the connection form.
        description: help text (where to find the key, which scopes, ...).
        required: actions need a connection to run.
        validate: an optional async check against the service, run when a connection is saved.
    """

    kind: ClassVar[str] = "AUTH"
    display_name: str
    description: str = ""
    required: bool = True
    validate: AuthValidator | None = None

    def coerce(self, value: Any) -> Any:
        """Returns the connection value in this auth's shape, or raises AuthError."""
        return value

    async def check(self, value: Any) -> Any:
        """Converts the value, then runs `validate` if there is one.

        Raises:
            AuthError: the value has the wrong shape, or the service refused it.
        """
        converted = self.coerce(value)
        if self.validate is not None:
            problem = await self.validate(converted)
            if problem:
                raise AuthError(f"{self.display_name}: {problem}")
        return converted

    def metadata(self) -> AuthSchema:
        """This auth as it appears in the piece metadata."""
        return AuthSchema(
            type=self.kind,
            display_name=self.display_name,
            description=self.description,
            required=self.required,
            **self.extra_metadata(),
        )

    def extra_metadata(self) -> dict[str, Any]:
        """Kind-specific metadata fields."""
        return {}


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretText(Auth):
    """One secret, such as an API key; the value is the text."""

    kind: ClassVar[str] = "SECRET_TEXT"

    def coerce(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            return value
        raise AuthError(f"{self.display_name}: expected the secret as non-empty text")


@dataclass(frozen=True, slots=True, kw_only=True)
class BasicAuth(Auth):
    """A username and password; the value is `{username, password}`."""

    kind: ClassVar[str] = "BASIC"
    username: ShortText = field(default_factory=lambda: ShortText(display_name="Username"))
    password: ShortText = field(default_factory=lambda: ShortText(display_name="Password"))

    def coerce(self, value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("username"), str):
            raise AuthError(f"{self.display_name}: expected {{username, password}}")
        password = value.get("password", "")
        if not isinstance(password, str):
            raise AuthError(f"{self.display_name}: the password must be text")
        return {"username": value["username"], "password": password}

    def extra_metadata(self) -> dict[str, Any]:
        return {
            "props": {
                "username": self.username.metadata(),
                "password": self.password.metadata(),
            }
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomAuth(Auth):
    """Several fields (e.g. base URL + token); the value is validated against `props`."""

    kind: ClassVar[str] = "CUSTOM_AUTH"
    props: Mapping[str, Prop] = field(default_factory=dict)

    def coerce(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise AuthError(f"{self.display_name}: expected an object of connection fields")
        try:
            return validate_props(self.props, value)
        except PropsValidationError as err:
            raise AuthError(f"{self.display_name}: {err.message}") from err

    def extra_metadata(self) -> dict[str, Any]:
        return {"props": _props_metadata(self.props)}


class OAuth2GrantType(StrEnum):
    """AUTHORIZATION_CODE (a person signs in, with PKCE) or CLIENT_CREDENTIALS (machine to machine)."""

    AUTHORIZATION_CODE = "authorization_code"
    CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuth2(Auth):
    """OAuth2, described as data; `pieces.framework.oauth2` runs the grants and the refresh.

    The value is the token as `{access_token, refresh_token, expires_at, token_type, scope, ...}`
    plus, under `props`, any extra fields of the form.
    """

    kind: ClassVar[str] = "OAUTH2"
    auth_url: str
    token_url: str
    scope: tuple[str, ...] = ()
    pkce: bool = True
    grant_type: OAuth2GrantType = OAuth2GrantType.AUTHORIZATION_CODE
    props: Mapping[str, Prop] = field(default_factory=dict)

    def coerce(self, value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("access_token"), str):
            raise AuthError(f"{self.display_name}: expected an OAuth2 token with an access_token")
        return value

    def extra_metadata(self) -> dict[str, Any]:
        return {
            "grant_type": self.grant_type.value,
            "auth_url": self.auth_url,
            "token_url": self.token_url,
            "scope": list(self.scope),
            "pkce": self.pkce,
            "props": _props_metadata(self.props) if self.props else None,
        }


def _props_metadata(props: Mapping[str, Prop]) -> dict[str, PropSchema]:
    return {key: prop.metadata() for key, prop in props.items()}
