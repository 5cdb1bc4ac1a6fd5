"""Database and protocol values as JSON: dates as ISO text, decimals as numbers, bytes as base64."""

import base64
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any


def to_json(value: Any) -> Any:
    """`value` with every nested value made JSON-friendly (a step output must be JSON).

    Dates and times become ISO 8601 text, decimals numbers (text when a float would lose
    digits), UUIDs text, bytes base64 text, intervals seconds; lists, tuples and dicts recurse.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item) for item in value]
    return str(value)
