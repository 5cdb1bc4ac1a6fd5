"""Fixtures every kind of test shares: the embedded PostgreSQL, fresh databases, real server processes."""

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from server.db import migrate
from server.embedded_pg import EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"
ARTIFACTS = ROOT / "test-artifacts"
_TEMPLATE = "pw_test_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """One embedded PostgreSQL for the whole test run, with a migrated template database.

    PW_TEST_DATABASE_URL (an admin URL of any PostgreSQL) is used instead when set.
    """
    external = os.environ.get("PW_TEST_DATABASE_URL")
    if external:
        _create_template(external)
        yield external
        return
    # Not under pytest's tmp_path: concurrent pytest runs rotate those away (keeping the last few),
    # which would delete a running cluster's files.
    directory = Path(tempfile.mkdtemp(prefix="pw-test-pg-"))
    postgres = EmbeddedPostgres(directory)
    url = asyncio.run(postgres.start())
    admin_url = url.replace("/piecework?", "/postgres?")
    _create_template(admin_url)
    yield admin_url
    asyncio.run(postgres.stop())
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, migrated database for one test (copied from the template: about 50 ms)."""
    name = f"pw_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(_TEMPLATE)
            )
        )
    yield _with_database(postgres_admin_url, name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def empty_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh database with no tables at all (for migration tests)."""
    name = f"pw_empty_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _with_database(postgres_admin_url, name)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _create_template(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_TEMPLATE))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_TEMPLATE)))
    migrate.upgrade(_with_database(admin_url, _TEMPLATE))


def _with_database(url: str, name: str) -> str:
    head, sep, tail = url.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + sep + tail


@dataclass
class ServerProcess:
    """A real `piecework server` process."""

    process: subprocess.Popen[bytes]
    data_dir: Path
    url: str
    token: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server_process(
    data_dir: Path, *, env: dict[str, str] | None = None, timeout_s: float = 90
) -> ServerProcess:
    """Starts `python -m piecework server` on a data dir and waits until it answers."""
    log_path = data_dir.parent / f"{data_dir.name}-server.log"
    process_env = {**os.environ, **(env or {})}
    process_env.pop("PW_DATABASE_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "piecework", "server", "--data-dir", str(data_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=process_env,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited {process.returncode}:\n{log_path.read_text()}")
        try:
            info = json.loads((data_dir / "server.json").read_text())
            if httpx.get(info["url"] + "/api/v1/health", timeout=2).status_code == 200:
                return ServerProcess(process, data_dir, info["url"], info["token"], log_path)
        except (OSError, ValueError, KeyError, httpx.HTTPError):
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"server did not start in {timeout_s}s:\n{log_path.read_text()}")


def stop_server_process(server: ServerProcess) -> int:
    """Stops the server as Ctrl+C would and returns its exit code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return server.process.returncode


@contextlib.contextmanager
def fresh_data_dir() -> Iterator[Path]:
    """A data dir for a server with an embedded Postgres, removed afterwards.

    Not under pytest's tmp_path: when running as root the embedded Postgres runs as another user
    that must traverse the parents, and every pytest session resets pytest's temp root to 0700.
    """
    parent = Path(tempfile.mkdtemp(prefix="pw-test-data-"))
    try:
        yield parent / "data"
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A fresh data dir path (not created yet) for a personal-mode server."""
    with fresh_data_dir() as path:
        yield path


@pytest.fixture
def server_process(data_dir: Path) -> Iterator[ServerProcess]:
    """A real personal-mode server on a fresh data dir, stopped afterwards."""
    server = start_server_process(data_dir)
    yield server
    stop_server_process(server)


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save files worth looking at (screenshots); kept after the run, ignored by git."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


_MARKERS = {"server": "integration", "desktop": "gui", "e2e": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks tests by folder: server/ integration, desktop/ gui, e2e/ e2e."""
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        marker = _MARKERS.get(folder)
        if marker:
            item.add_marker(marker)
