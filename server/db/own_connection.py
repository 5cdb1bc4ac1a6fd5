"""One psycopg connection a component keeps to itself for its hot statements.

SQLAlchemy's session costs a pooled checkout, a greenlet hop per statement and BEGIN and COMMIT
round trips. The few statements a webhook event or a run repeats thousands of times a second
(the intake's write, a run's start and end) go instead through a plain psycopg connection in
autocommit: each is one statement, atomic by itself, or a pipeline that one Sync makes one
transaction, prepared by the server after a few uses.

The connection is made at its first use (an idle process holds none), checked before use when
it sat unused for `IDLE_CHECK_S` (the database may have restarted meanwhile), and dropped when
a statement finds the database gone: the next use makes a new one. One user at a time: a
pipeline's statements must not interleave with another caller's.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import psycopg

from server.db.engine import IDLE_CHECK_S, database_gone

#: Seconds to wait for a new connection.
CONNECT_TIMEOUT_S = 5


class OwnConnection:
    """An autocommit connection made on first use and replaced when it fails."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._used = 0.0  # when the connection last answered (time.monotonic)
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def use(self) -> AsyncIterator["psycopg.AsyncConnection[Any]"]:
        """The connection, for this caller alone until the block ends.

        Raises:
            psycopg.Error: from the block; the connection is dropped first when the database
                could not be reached (`db.engine.database_gone`).
        """
        async with self._lock:
            try:
                yield await self._connect()
                self._used = time.monotonic()
            except psycopg.Error as err:
                if database_gone(err):
                    await self._forget()
                raise
            except BaseException:  # cancelled mid-statement: the connection's state is unknown
                await self._forget()
                raise

    async def close(self) -> None:
        async with self._lock:
            await self._forget()

    async def _connect(self) -> "psycopg.AsyncConnection[Any]":
        connection = self._connection
        if connection is not None and time.monotonic() - self._used > IDLE_CHECK_S:
            try:
                await connection.execute("SELECT 1")
            except psycopg.Error:
                await self._forget()
                connection = None
        if connection is None or connection.closed:
            connection = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
            self._connection = connection
        return connection

    async def _forget(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                await self._connection.close()
            self._connection = None
