"""Request and response bodies of the API that are not engine.model resources."""

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from engine.model import Model
from engine.model.resources import ApiKeyRead
from server.api.connection_values import ConnectionValue


class SignUpRequest(Model):
    """Create an account."""

    # Activepieces clients send extra marketing flags (trackEvents, newsLetter); they are ignored.
    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)


class SignInRequest(Model):
    """Sign in with email and password."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


class AuthenticationResponse(Model):
    """A signed-in user: the token to send as `Authorization: Bearer`, and the project to open."""

    id: str
    email: str
    first_name: str
    last_name: str
    platform_role: str
    token: str
    #: When `token` expires; get a new one before then from /authentication/refresh.
    expires_at: datetime
    #: Send to /authentication/refresh for a new token pair (valid PW_JWT_REFRESH_EXPIRY_DAYS).
    refresh_token: str
    project_id: str


class RefreshRequest(Model):
    """Exchange a refresh token for a new token pair."""

    refresh_token: str = Field(min_length=1, max_length=4096)


class FlowCreate(Model):
    """Create a flow in a project."""

    display_name: str = Field(min_length=1, max_length=200)
    project_id: str
    folder_id: str | None = None


class HealthResponse(Model):
    """The server is up and its database answers."""

    status: str


class ApiKeyCreate(Model):
    """Create an API key."""

    display_name: str = Field(min_length=1, max_length=200)


class ApiKeyCreated(ApiKeyRead):
    """A new API key with its value (the only time it is returned)."""

    value: str


class ProjectCreate(Model):
    """Create a project (platform owners and admins)."""

    display_name: str = Field(min_length=1, max_length=200)


class UserInvitationCreate(Model):
    """Invite an email to a project with a role (Activepieces' shape)."""

    email: str = Field(min_length=3, max_length=320)
    type: Literal["PROJECT"] = "PROJECT"
    project_id: str
    project_role: str


class ProjectMemberUpdate(Model):
    """Change a member's role."""

    role: str


class AppConnectionUpsert(Model):
    """Create or update a connection, keyed by (projectId, externalId); `value` as in Activepieces."""

    external_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-.]+$")
    display_name: str = Field(min_length=1, max_length=200)
    piece_name: str = Field(min_length=1, max_length=200)
    project_id: str
    type: Literal[
        "SECRET_TEXT",
        "BASIC_AUTH",
        "CUSTOM_AUTH",
        "OAUTH2",
        "CLOUD_OAUTH2",
        "PLATFORM_OAUTH2",
        "NO_AUTH",
    ]
    value: ConnectionValue


class FolderCreate(Model):
    """Create a folder."""

    display_name: str = Field(min_length=1, max_length=200)
    project_id: str


class FolderUpdate(Model):
    """Rename a folder."""

    display_name: str = Field(min_length=1, max_length=200)
