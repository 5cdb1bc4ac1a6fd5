"""Response shapes of the resources added for issue 6's second half (users, store, files, sample
data, templates, audit events); they move to engine.model.resources when the desktop reads them."""

from datetime import datetime

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
