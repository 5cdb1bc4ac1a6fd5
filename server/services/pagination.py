"""Seek pagination: opaque cursors over (created, id), newest first."""

import base64
from datetime import datetime

from server.services.errors import InvalidRequestError

MAX_LIMIT = 100


def encode_cursor(created: datetime, row_id: str, *, direction: str) -> str:
    """An opaque cursor pointing after (`n`) or before (`p`) a row."""
    raw = f"{direction}|{created.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime, str]:
    """The direction, time and id inside a cursor.

    Raises:
        InvalidRequestError: the cursor was not made by this server.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        direction, created, row_id = raw.split("|", 2)
        if direction not in {"n", "p"}:
            raise ValueError(direction)
        return direction, datetime.fromisoformat(created), row_id
    except ValueError:
        raise InvalidRequestError(
            "The cursor is not valid; start from the first page", code="INVALID_CURSOR"
        ) from None


def check_limit(limit: int) -> int:
    """The page size, within 1..MAX_LIMIT.

    Raises:
        InvalidRequestError: out of range.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError(f"limit must be between 1 and {MAX_LIMIT}", code="INVALID_LIMIT")
    return limit
