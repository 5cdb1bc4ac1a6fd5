"""What `piecework server` and `piecework worker` run once started: the server's context, the
web server and the worker. Loading these modules takes a second or more, which `piecework.serve`
spends starting the embedded PostgreSQL at the same time."""

import asyncio
import contextlib
import os
import signal
import socket
from collections.abc import Callable

import psycopg
import uvicorn

from pieces.framework.network import NetworkPolicyError
from piecework.console import say
from piecework.serve import EARLY_ERRORS, StartupError
from server.app import create_app
from server.context import open_context
from server.db.engine import DatabaseUrlError
from server.db.migrate import DatabaseTooNewError, DatabaseUnavailableError
from server.embedded_pg import EmbeddedPostgres, EmbeddedPostgresError
from server.lockfile import ServerLock
from server.settings import Settings

#: Start-up errors a person can fix; they are shown as one message, without a traceback.
USER_ERRORS = (
    *EARLY_ERRORS,
    EmbeddedPostgresError,
    DatabaseUrlError,
    DatabaseUnavailableError,
    DatabaseTooNewError,
    NetworkPolicyError,
    psycopg.OperationalError,
)


async def serve_app(
    settings: Settings,
    sock: socket.socket,
    *,
    lock: ServerLock,
    url: str,
    on_ready: Callable[[str], None] | None,
    postgres: EmbeddedPostgres | None,
) -> None:
    """Starts the server's context (waiting for `postgres`, started already) and serves on `sock`.

    Raises:
        StartupError: a start-up error a person can fix.
    """
    try:
        async with open_context(settings, worker=settings.run_worker, starting=postgres) as context:
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


async def work_app(settings: Settings) -> None:
    """Runs a worker until Ctrl+C or SIGTERM.

    Raises:
        StartupError: a start-up error a person can fix.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, stop.set)
    try:
        # worker=True: runs execute in engine processes and the context runs the worker.
        async with open_context(settings, worker=True):
            say(
                f"Piecework worker {os.getpid()} is taking jobs (concurrency {settings.worker_concurrency})."
            )
            await stop.wait()
    except USER_ERRORS as err:
        raise StartupError(str(err)) from err
