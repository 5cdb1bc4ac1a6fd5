"""The shapes of connection values accepted by POST /app-connections (Activepieces' shapes)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretTextValue(_Value):
    """An API key or token."""

    type: Literal["SECRET_TEXT"]
    secret_text: str = Field(min_length=1)


class BasicAuthValue(_Value):
    """A username and password."""

    type: Literal["BASIC_AUTH"]
    username: str
    password: str


class CustomAuthValue(_Value):
    """Named fields a piece defines."""

    type: Literal["CUSTOM_AUTH"]
    props: dict[str, Any]


class OAuth2Value(_Value):
    """OAuth2 tokens (obtained by the desktop's authorization flow or pasted)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: Literal["OAUTH2", "CLOUD_OAUTH2", "PLATFORM_OAUTH2"]
    access_token: str = Field(min_length=1)


class NoAuthValue(_Value):
    """A connection with no secret."""

    type: Literal["NO_AUTH"]


ConnectionValue = Annotated[
    SecretTextValue | BasicAuthValue | CustomAuthValue | OAuth2Value | NoAuthValue,
    Field(discriminator="type"),
]
