"""Seek pagination: opaque cursors over (created, id), newest first."""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.services.errors import InvalidRequestError

MAX_LIMIT = 100
R = TypeVar("R")


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SeekPage(Generic[R]):
    """Rows of one page and the cursors around it."""

    rows: list[R]
    next: str | None
    previous: str | None


async def seek_page(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    *,
    created: InstrumentedAttribute[datetime],
    row_id: InstrumentedAttribute[str],
    key: Callable[[Any], tuple[datetime, str]],
    limit: int,
    cursor: str | None,
) -> SeekPage[Any]:
    """Runs `query` for one page, newest first, after or before the cursor.

    Args:
        session: the request's session.
        query: the filtered select, without order or limit.
        created: the creation time column the order follows.
        row_id: the id column that breaks ties.
        key: (created, id) of a result row, for the cursors.
        limit: page size (1..MAX_LIMIT).
        cursor: from a previous page's `next` or `previous`, or None for the first page.

    Raises:
        InvalidRequestError: bad limit or cursor.
    """
    limit = check_limit(limit)
    backwards = False
    if cursor:
        direction, at, at_id = decode_cursor(cursor)
        backwards = direction == "p"
        if backwards:
            query = query.where(or_(created > at, and_(created == at, row_id > at_id)))
        else:
            query = query.where(or_(created < at, and_(created == at, row_id < at_id)))
    order = (created.asc(), row_id.asc()) if backwards else (created.desc(), row_id.desc())
    rows = list((await session.execute(query.order_by(*order).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else bool(cursor)
    has_previous = bool(cursor) if not backwards else more
    return SeekPage(
        rows=rows,
        next=encode_cursor(*key(rows[-1]), direction="n") if rows and has_next else None,
        previous=encode_cursor(*key(rows[0]), direction="p") if rows and has_previous else None,
    )
