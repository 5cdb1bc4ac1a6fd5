"""Personal mode: attach to the local server of a data dir, or start one and wait until it answers."""

import asyncio
import atexit
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from desktop.client.api_client import ApiClient

#: How long a freshly started server may take (first start initialises PostgreSQL).
START_TIMEOUT_S = 90.0


#: Servers this process started. They outlive the app on purpose (schedules keep firing); the
#: handles are kept so that Python does not warn about dropping a running child.
_SPAWNED: list["subprocess.Popen[bytes]"] = []


class LocalServerError(RuntimeError):
    """The local server could not be found or started; the message says what to do."""


async def connect_local_server(
    data_dir: Path,
    *,
    start: bool = True,
    progress: Callable[[str], None] = lambda _: None,
    environment: dict[str, str] | None = None,
) -> ApiClient:
    """Returns a client of the data dir's running server, starting one first if there is none.

    `environment` adds variables (PW_PUBLIC_URL, PW_NETWORK_MODE) to a server started here.

    Raises:
        LocalServerError: none runs and it could not be started (the message points at its log).
    """
    client = await _attach(data_dir)
    if client is not None:
        return client
    if not start:
        raise LocalServerError(
            f"No Piecework server is running on {data_dir}; start one with: piecework server"
        )
    progress("Starting the local Piecework server…")
    log_path = data_dir / "server.log"
    log_start = log_path.stat().st_size if log_path.exists() else 0
    process = _spawn_server(data_dir, log_path, environment or {})
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        client = await _attach(data_dir)
        if client is not None:
            return client
        if process.poll() is not None:
            raise LocalServerError(startup_failure(log_path, offset=log_start))
    raise LocalServerError(
        f"The local server did not start within {START_TIMEOUT_S:g} s; see {log_path}"
    )


def _spawn_server(
    data_dir: Path, log_path: Path, environment: dict[str, str]
) -> "subprocess.Popen[bytes]":
    # A detached process (its own session): the server keeps running schedules after the app closes.
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*server_command(), "--data-dir", str(data_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **environment},
        )
    if not _SPAWNED:
        atexit.register(_reap_spawned)
    _SPAWNED.append(process)
    return process


async def stop_local_server(data_dir: Path, *, timeout_s: float = 30.0) -> bool:
    """Stops the data dir's running server as Ctrl+C would; True once it is gone.

    The server removes its `server.json` when it has stopped (its PostgreSQL too).
    """
    info_path = data_dir / "server.json"
    try:
        pid = int(json.loads(info_path.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    try:
        os.kill(pid, signal.SIGINT if sys.platform != "win32" else signal.SIGTERM)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    deadline = time.monotonic() + timeout_s
    # The server's own process removes the file: there is no event here to wait on.
    while info_path.exists() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    _reap_spawned()
    return not info_path.exists()


def startup_failure(log_path: Path, *, offset: int = 0) -> str:
    """What to tell a person whose local server stopped while starting: the server's own message
    (`error: …`, which says what to do) when this start wrote one, else where the log is."""
    try:
        with log_path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        text = ""
    errors = [line[len("error: ") :] for line in text.splitlines() if line.startswith("error: ")]
    if errors:
        return f"The local Piecework server could not start. {errors[-1]}\n\nDetails: {log_path}"
    return f"The local server stopped while starting; see {log_path}"


def server_command() -> list[str]:
    """How to run `piecework server` from this process: the frozen app is its own command."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "server"]
    return [sys.executable, "-m", "piecework", "server"]


def _reap_spawned() -> None:
    # Collect the exit status of servers that stopped already; running ones are left to run.
    for process in _SPAWNED:
        process.poll()


def read_server_info(data_dir: Path) -> tuple[str, str] | None:
    """The URL and local token in the data dir's `server.json`, or None when no server wrote one."""
    try:
        info = json.loads((data_dir / "server.json").read_text(encoding="utf-8"))
        return str(info["url"]), str(info["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


async def _attach(data_dir: Path) -> ApiClient | None:
    found = read_server_info(data_dir)
    if found is None:
        return None
    client = ApiClient(*found)
    if await client.health():
        return client
    await client.close()
    return None
