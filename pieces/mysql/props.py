"""Props shared by the MySQL actions and trigger."""

from typing import Any

from pieces.framework import Json, Object, ShortText


def _is_list(value: Any) -> str | None:
    return None if value is None or isinstance(value, list) else "must be a list of values"


TABLE = ShortText(
    display_name="Table", description="A table name, or database.table", required=True
)
ARGS = Json(
    display_name="Arguments",
    description="Values for each %s in the query, in order (a JSON list)",
    default=[],
    validators=(_is_list,),
)
WHERE = Object(
    display_name="Where",
    description="Rows whose columns equal these values (a null value matches NULL)",
    required=True,
)
VALUES = Object(display_name="Values", description="Column names and their values", required=True)
