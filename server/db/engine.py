"""Database URLs, the async SQLAlchemy engine and its session factory."""

import time
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")
#: Seconds a pooled connection may sit unused before it is checked as it is taken (the database
#: may have restarted meanwhile).
IDLE_CHECK_S = 1.0


class DatabaseUrlError(ValueError):
    """PW_DATABASE_URL is not a PostgreSQL URL."""

    code = "INVALID_DATABASE_URL"


def sqlalchemy_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver (`postgresql+psycopg://`).

    Raises:
        DatabaseUrlError: the URL is not a PostgreSQL URL.
    """
    for scheme in _SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    raise DatabaseUrlError(
        "PW_DATABASE_URL must start with postgresql:// (Piecework runs on PostgreSQL only)"
    )


def libpq_url(url: str) -> str:
    """The URL as psycopg and libpq take it (`postgresql://`)."""
    return "postgresql://" + sqlalchemy_url(url).removeprefix("postgresql+psycopg://")


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine with a small pool; a connection idle for over IDLE_CHECK_S is checked
    before use, and replaced if the database closed it.

    SQLAlchemy's `pool_pre_ping` checks every connection as it is taken: a round trip on every
    transaction, though a connection used a moment ago is alive. Only one that sat unused is
    checked here; under load, none is.
    """
    engine = create_async_engine(sqlalchemy_url(url), pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine.sync_engine, "checkin", _checked_in)
    event.listen(engine.sync_engine, "checkout", _check_if_idle)
    return engine


def _checked_in(_: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _check_if_idle(dbapi_connection: Any, record: Any, _: Any) -> None:
    checked_in = record.info.get("checked_in")
    if checked_in is None or time.monotonic() - checked_in < IDLE_CHECK_S:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
        dbapi_connection.rollback()  # the SELECT began a transaction: the taker begins its own
    except psycopg.Error as err:
        # The pool drops this connection and takes (or makes) another.
        raise DisconnectionError(f"a pooled connection was closed: {err}") from err
    finally:
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def database_gone(err: DBAPIError | psycopg.Error) -> bool:
    """The statement failed because the database could not be reached (restarting, network
    down), not because of what it asked: trying again later may succeed. `err` is SQLAlchemy's
    wrapper or psycopg's own error (from code that uses psycopg directly)."""
    cause = err.orig if isinstance(err, DBAPIError) else err
    return (isinstance(err, DBAPIError) and err.connection_invalidated) or isinstance(
        cause, psycopg.OperationalError | psycopg.InterfaceError
    )
