"""`piecework server` and `piecework worker`: start the processes, and say plainly what went wrong.

The server's modules (`piecework.serving`) take a second or more to load; in personal mode the
embedded PostgreSQL starts in a thread meanwhile, so a start costs the longer of the two, not both.
"""

import socket
from collections.abc import Callable
from dataclasses import replace

from server import event_loop
from server.data_dir import DataDirError
from server.embedded_pg import EmbeddedPostgres
from server.lockfile import DataDirInUseError, ServerLock
from server.settings import Settings, SettingsError
from server.worker import engine_template

#: Start-up errors a person can fix that can happen before the server's modules are loaded
#: (`piecework.serving.USER_ERRORS` adds the later ones); shown as one message.
EARLY_ERRORS = (DataDirInUseError, SettingsError, DataDirError)


class StartupError(Exception):
    """The server could not start; the message says why."""


def serve(settings: Settings, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Runs the server until Ctrl+C or SIGTERM.

    Raises:
        StartupError: the data dir is in use, the port is taken, or the database cannot be reached.
    """
    try:
        settings = settings.with_secrets()
        lock = ServerLock(settings.data_dir)
        if settings.embedded:
            lock.acquire()
    except EARLY_ERRORS as err:
        raise StartupError(str(err)) from err
    postgres = EmbeddedPostgres(settings.data_dir) if settings.embedded else None
    try:
        sock = _bind(settings.host, settings.port)
        url = f"http://{_url_host(settings.host)}:{sock.getsockname()[1]}"
        if not settings.public_url:
            settings = replace(settings, public_url=url)
        try:
            if postgres is not None:
                postgres.begin()  # starts while the modules below load
            from piecework import serving  # the server's modules, loaded here on purpose

            # The context waits for PostgreSQL first anyway; its start thread must be gone before
            # the fork. A failed start forks nothing: the context says what failed.
            if settings.run_worker and (postgres is None or postgres.wait_begun()):
                engine_template.fork_template()  # shares the modules just loaded
            event_loop.run(
                serving.serve_app(
                    settings, sock, lock=lock, url=url, on_ready=on_ready, postgres=postgres
                )
            )
        finally:
            sock.close()
    finally:
        if postgres is not None:
            postgres.stop_now()  # when the start failed before the context took it over
        lock.release()


def work(settings: Settings) -> None:
    """Runs a worker (team mode) until Ctrl+C or SIGTERM.

    Raises:
        StartupError: no PW_DATABASE_URL, or the database cannot be reached.
    """
    if settings.embedded:
        raise StartupError(
            "piecework worker needs PW_DATABASE_URL (team mode). In personal mode the server runs its own worker."
        )
    from piecework import serving  # the server's modules, loaded here on purpose

    engine_template.fork_template()  # shares the modules just loaded
    event_loop.run(serving.work_app(settings.with_secrets()))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise StartupError(
            f"Cannot listen on {host}:{port} ({err.strerror}); choose another --port"
        ) from err
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    if host in {"0.0.0.0", "::"}:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
