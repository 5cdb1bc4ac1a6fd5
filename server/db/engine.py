"""Database URLs, the async SQLAlchemy engine and its session factory."""

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")


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
    """An async engine with a small pool; connections are checked before use."""
    return create_async_engine(
        sqlalchemy_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def database_gone(err: DBAPIError) -> bool:
    """The statement failed because the database could not be reached (restarting, network
    down), not because of what it asked: trying again later may succeed."""
    return err.connection_invalidated or isinstance(
        err.orig, psycopg.OperationalError | psycopg.InterfaceError
    )
