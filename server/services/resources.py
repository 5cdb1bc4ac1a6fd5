"""Response shapes of the resources added for issue 6's second half (users, store, files, sample
data, templates, audit events); they move to engine.model.resources when the desktop reads them."""

from datetime import datetime
from typing import Any

from engine.model import Model


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
