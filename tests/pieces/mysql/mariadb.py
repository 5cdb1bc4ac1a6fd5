"""A throwaway MariaDB server for tests: a fresh datadir in the temp dir, a free port, one user.

As root (CI) the server runs as the `mysql` user, which owns the datadir.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pymysql

INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
SERVER = shutil.which("mariadbd") or "/usr/sbin/mariadbd"


@dataclass(frozen=True, slots=True, kw_only=True)
class MariaDB:
    """A running server: where it listens, and a user owning database `shop`."""

    port: int
    user: str
    password: str
    database: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def mariadb() -> Iterator[MariaDB]:
    """Initialises a datadir, starts mariadbd on a free port, creates the user; stops it after."""
    root = Path(tempfile.mkdtemp(prefix="pw-mariadb-"))
    os.chmod(root, 0o755)
    data, sock = root / "data", root / "mysqld.sock"
    data.mkdir()
    as_root = os.geteuid() == 0
    user = "mysql" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    if as_root:
        owner = pwd.getpwnam("mysql")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chown(data, owner.pw_uid, owner.pw_gid)
    common = ["--no-defaults", f"--datadir={data}", f"--user={user}"]
    subprocess.run(
        [INSTALL_DB, *common, "--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            SERVER,
            *common,
            f"--socket={sock}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={root / 'mysqld.pid'}",
            f"--log-error={root / 'error.log'}",
            "--skip-name-resolve",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--innodb-log-file-size=8M",
            "--performance-schema=OFF",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _setup(sock, process, root)
        yield MariaDB(port=port, user="piece", password="s3cret pass", database="shop")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _setup(sock: Path, process: "subprocess.Popen[bytes]", root: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log = (root / "error.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"mariadbd exited ({process.returncode}): {log}")
        # Probe with a plain socket (closed each time): PyMySQL leaks the socket of a failed connect.
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(sock))
                if probe.recv(4):
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    conn = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute("CREATE DATABASE shop")
        cursor.execute("CREATE USER 'piece'@'%' IDENTIFIED BY 's3cret pass'")
        cursor.execute("GRANT ALL ON shop.* TO 'piece'@'%'")
    conn.close()
