"""`piecework server` and `piecework worker`: start the processes, and say plainly what went wrong."""

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import replace

import psycopg
import uvicorn

from pieces.framework.network import NetworkPolicyError
from piecework.console import say
from server.app import create_app
from server.context import open_context, run_worker
from server.data_dir import DataDirError
from server.db.engine import DatabaseUrlError
from server.db.migrate import DatabaseTooNewError, DatabaseUnavailableError
from server.embedded_pg import EmbeddedPostgresError
from server.lockfile import DataDirInUseError, ServerLock
from server.settings import Settings, SettingsError

log = logging.getLogger(__name__)

#: Start-up errors a person can fix; they are shown as one message, without a traceback.
USER_ERRORS = (
    DataDirInUseError,
    EmbeddedPostgresError,
    SettingsError,
    DatabaseUrlError,
    DatabaseUnavailableError,
    DatabaseTooNewError,
    DataDirError,
    NetworkPolicyError,
    psycopg.OperationalError,
)


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
    except USER_ERRORS as err:
        raise StartupError(str(err)) from err
    try:
        sock = _bind(settings.host, settings.port)
        url = f"http://{_url_host(settings.host)}:{sock.getsockname()[1]}"
        if not settings.public_url:
            settings = replace(settings, public_url=url)
        try:
            asyncio.run(_serve(settings, sock, lock=lock, url=url, on_ready=on_ready))
        finally:
            sock.close()
    finally:
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
    asyncio.run(_work(settings.with_secrets()))


async def _serve(
    settings: Settings,
    sock: socket.socket,
    *,
    lock: ServerLock,
    url: str,
    on_ready: Callable[[str], None] | None,
) -> None:
    try:
        async with open_context(settings, worker=settings.run_worker) as context:
            config = uvicorn.Config(
                create_app(settings, context=context),
                log_level="warning",
                lifespan="on",
                log_config=None,  # uvicorn's records go through our handler (text or JSON)
            )
            server = _Server(config)
            task = asyncio.create_task(server.serve(sockets=[sock]))
            ready = asyncio.create_task(server.ready.wait())
            await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            if server.started:
                if settings.embedded:
                    lock.publish(url=url, token=settings.local_token)
                if on_ready is not None:
                    on_ready(url)
            await task
    except USER_ERRORS as err:
        raise StartupError(str(err)) from err


class _Server(uvicorn.Server):
    """A uvicorn server that says when it has started listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()


async def _work(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, stop.set)
    try:
        async with open_context(settings, worker=False) as context:
            say(
                f"Piecework worker {os.getpid()} is taking jobs (concurrency {settings.worker_concurrency})."
            )
            worker = asyncio.create_task(run_worker(context))
            await asyncio.wait(
                [worker, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
            )
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
    except USER_ERRORS as err:
        raise StartupError(str(err)) from err


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
