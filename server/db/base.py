"""The declarative base with named constraints, and id and time helpers."""

import secrets
import string
from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

_ALPHABET = string.ascii_letters + string.digits

#: Constraint names Alembic can find again (and drop in downgrades).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_ID_LENGTH = 21
_ID_SPACE = len(_ALPHABET) ** _ID_LENGTH


def new_id() -> str:
    """A random 21-character id, as Activepieces uses: one draw from the OS's random source
    (not one per character: ids are made on every run and event)."""
    number = secrets.randbelow(_ID_SPACE)
    chars = []
    for _ in range(_ID_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
