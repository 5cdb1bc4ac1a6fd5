"""Props the store actions share: key, value, scope and default value."""

from typing import Any

from pieces.framework import Custom, Option, ShortText, StaticDropdown, StoreScope, validators
from pieces.framework.store import MAX_KEY_LENGTH

KEY = ShortText(
    display_name="Key",
    description=f"At most {MAX_KEY_LENGTH} characters.",
    required=True,
    validators=(validators.max_length(MAX_KEY_LENGTH),),
)
VALUE = Custom(display_name="Value", description="Any JSON value, at most 512 KB.")
DEFAULT_VALUE = Custom(
    display_name="Default value", description="Returned when the key is not set."
)
SCOPE = StaticDropdown(
    display_name="Scope",
    description="Flow: only this flow sees the key. Project: every flow of the project does.",
    default=StoreScope.FLOW.value,
    options=(
        Option(label="Flow", value=StoreScope.FLOW.value),
        Option(label="Project", value=StoreScope.PROJECT.value),
    ),
)


def scope(props: Any) -> StoreScope:
    """The scope chosen in the props."""
    return StoreScope(props["scope"])
