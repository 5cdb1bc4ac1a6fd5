"""Props shared by the GitHub actions and triggers."""

from pieces.framework import Dropdown
from pieces.github.client import repository_options

REPOSITORY = Dropdown(
    display_name="Repository",
    description="owner/name",
    required=True,
    options=repository_options,
)
