"""API resource shapes the server returns and the desktop reads: flows, versions, runs, pages."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from engine.model.base import Model
from engine.model.flow import Flow
from engine.model.run import Pause, RunStatus, StepReport, WebhookResponse

T = TypeVar("T")


class FlowStatus(StrEnum):
    """Whether a flow's published version reacts to its trigger."""

    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class FlowVersionState(StrEnum):
    """A version is the editable DRAFT, a LOCKED (published) copy, or the frozen copy a TEST
    run of the draft runs (not listed among the flow's versions)."""

    DRAFT = "DRAFT"
    LOCKED = "LOCKED"
    TEST = "TEST"


class FlowVersionRead(Model):
    """A flow version as the API returns it."""

    id: str
    flow_id: str
    display_name: str
    state: FlowVersionState
    definition: Flow
    created: datetime
    updated: datetime


class FlowRead(Model):
    """A flow with its draft version."""

    id: str
    project_id: str
    folder_id: str | None = None
    status: FlowStatus
    published_version_id: str | None
    version: FlowVersionRead
    created: datetime
    updated: datetime


class FlowRunRead(Model):
    """A flow run as the API returns it; `steps` is None in lists and filled when one run is read."""

    id: str
    project_id: str
    flow_id: str
    flow_version_id: str
    status: RunStatus
    created: datetime
    start_time: datetime | None = None
    finish_time: datetime | None = None
    steps: dict[str, StepReport] | None = None
    response: WebhookResponse | None = None
    error: str | None = None
    failed_step: str | None = None
    duration: float | None = None
    #: While the run is PAUSED: the step that waits and its waitpoint (with its resume URL).
    pause: Pause | None = None


class Page(Model, Generic[T]):
    """One page of a list; `next`/`previous` are opaque cursors (None at either end)."""

    data: list[T]
    next: str | None = None
    previous: str | None = None


class ErrorBody(Model):
    """Every API error: a stable code, a message for people, and details."""

    code: str
    message: str
    params: dict[str, Any] = {}


class ProjectRead(Model):
    """A project the caller is a member of, with the caller's role in it."""

    id: str
    display_name: str
    role: str
    created: datetime


class ApiKeyRead(Model):
    """An API key without its value (shown only once, at creation)."""

    id: str
    display_name: str
    truncated_value: str
    created: datetime
    last_used: datetime | None = None


class ProjectMemberRead(Model):
    """A member of a project, with their role."""

    id: str
    project_id: str
    user_id: str
    email: str
    first_name: str
    last_name: str
    role: str
    created: datetime


class UserInvitationRead(Model):
    """An invitation to a project."""

    id: str
    email: str
    type: str
    project_id: str
    project_role: str
    status: str
    created: datetime


class AppConnectionRead(Model):
    """A connection as the API returns it: never its value."""

    id: str
    project_id: str
    external_id: str
    display_name: str
    piece_name: str
    type: str
    status: str
    created: datetime
    updated: datetime


class FolderRead(Model):
    """A folder of flows, with how many flows it holds."""

    id: str
    project_id: str
    display_name: str
    number_of_flows: int = 0
    created: datetime
