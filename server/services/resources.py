"""Response shapes of the resources added for issue 6's second half (users, store, files, sample
data, templates, audit events); they move to engine.model.resources when the desktop reads them."""

from datetime import datetime
from typing import Any

from engine.model import Model
from engine.model.pieces import PropSchema


class UserRead(Model):
    """A platform user (never the password hash)."""

    id: str
    email: str
    first_name: str
    last_name: str
    platform_role: str
    status: str
    created: datetime
    updated: datetime


class StoreEntryRead(Model):
    """A value in a project's store (FLOW-scoped keys start with `flow_<flowId>/`)."""

    id: str
    project_id: str
    key: str
    value: Any
    created: datetime
    updated: datetime


class FileRead(Model):
    """A stored file's metadata; `reference` is the value File props take; download at `/files/{id}`."""

    id: str
    project_id: str
    run_id: str | None
    name: str
    size: int
    reference: str
    created: datetime


class AuditEventRead(Model):
    """An audit event: `action` as in Activepieces (`flow.created`, `flow.run.finished`, ...)."""

    id: str
    action: str
    user_id: str | None
    #: The user's email while the account exists.
    user_email: str | None
    project_id: str | None
    data: dict[str, Any]
    created: datetime


class SampleDataRead(Model):
    """A step's sample input or output."""

    id: str
    flow_id: str
    step_name: str
    type: str
    data: Any
    updated: datetime


class TemplateRead(Model):
    """A template: a flow document shared with the platform, to start new flows from."""

    id: str
    display_name: str
    description: str
    tags: list[str]
    owner_id: str | None
    flow: dict[str, Any]
    created: datetime
    updated: datetime


class ConnectionValidation(Model):
    """Whether a connection works, checked with its piece (`error` says why not)."""

    valid: bool
    error: str | None = None
    status: str


class OAuth2Start(Model):
    """Open `authorizationUrl`; the redirect brings back `code` and this `state`."""

    authorization_url: str
    state: str


class PieceOptions(Model):
    """Loaded options of a dropdown (`options`, or `disabled` with a `placeholder`), or the
    props of a dynamic property (`props`, as in piece metadata)."""

    type: str
    options: list[dict[str, Any]] = []
    disabled: bool = False
    placeholder: str = ""
    props: dict[str, PropSchema] | None = None
