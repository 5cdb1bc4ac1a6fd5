"""Pooled connections: one the database closed while it sat unused is replaced as it is taken."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import engine as db_engine
from server.db.engine import create_engine, libpq_url, session_factory


@contextlib.asynccontextmanager
async def pool_of_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch, *, idle_check_s: float
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a pool of one connection, checked after `idle_check_s` unused."""
    monkeypatch.setattr(db_engine, "IDLE_CHECK_S", idle_check_s)
    engine = create_engine(database_url, pool_size=1)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def test_a_connection_closed_while_idle_is_replaced_as_it_is_taken(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with pool_of_one(database_url, monkeypatch, idle_check_s=0.2) as sessions:
        async with sessions() as session:
            backend = await session.scalar(text("SELECT pg_backend_pid()"))
        async with await psycopg.AsyncConnection.connect(
            libpq_url(database_url), autocommit=True
        ) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        await asyncio.sleep(0.3)
        async with sessions() as session:
            again = await session.scalar(text("SELECT pg_backend_pid()"))
        assert again != backend  # a new connection, and no error


async def test_a_connection_checked_after_idling_is_handed_over_outside_a_transaction(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's SELECT began a transaction; it is rolled back, so the taker starts its own
    (or switches the connection to autocommit, which psycopg refuses inside a transaction)."""
    async with pool_of_one(database_url, monkeypatch, idle_check_s=0.0) as sessions:
        for _ in range(2):  # the second takes the pooled connection, checked
            async with sessions() as session:
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                # A first statement, then a second: in one transaction, its now() would be
                # the first one's time.
                await session.execute(text("SELECT pg_sleep(0.01)"))
                in_block = await session.scalar(text("SELECT now() = statement_timestamp()"))
            assert in_block is True  # no transaction block: each statement is its own
