"""An engine process: executes the runs its worker sends it, one at a time.

Its worker starts it through multiprocessing (forked from a template that has imported
everything already, where the OS allows) with one end of a pipe. It sends `("ready", pid)` once
it can run, then answers each `("run", run_id, job_id)` it receives (after an `("environ",
dict)` when the worker's environment changed) with `("done", run_id, started, job_ended)`:
started is false when the project was at its concurrency limit; job_id is the run's job when the
worker took it as the run was queued (else None), and job_ended says the run's end ended it too.
It exits when the pipe closes, and at
once when its worker dies, even in the middle of a run: the run is recovered elsewhere from its
log, and this process must not go on with it. Its parent is the forkserver, which outlives the
worker as long as any engine process is alive, so the process watches the worker itself (a
pidfd on Linux, else a look every 0.2 s); PR_SET_PDEATHSIG covers the forkserver dying.
"""

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

from pieces.framework import PieceRegistry
from server import event_loop
from server.db.engine import create_engine, libpq_url, session_factory
from server.db.own_connection import OwnConnection
from server.logs import configure_logging
from server.secrets_box import SecretBox
from server.services.file_storage import open_file_storage
from server.services.queue import JobQueue
from server.worker.engine_config import EngineConfig
from server.worker.executor_setup import build_run_executor, code_runtime_for
from server.worker.pipes import receive
from server.worker.run_executor import RunExecutor

log = logging.getLogger(__name__)

#: Database connections one engine process may hold (it runs one run at a time).
POOL_SIZE = 2
#: Seconds between two looks at the worker, where there is no pidfd to wait on.
WORKER_WATCH_INTERVAL_S = 0.2


@contextlib.asynccontextmanager
async def open_engine(config: EngineConfig) -> AsyncIterator[RunExecutor]:
    """The run executor with its own small pools on the worker's database."""
    async with contextlib.AsyncExitStack() as stack:
        engine = create_engine(config.database_url, pool_size=POOL_SIZE)
        stack.push_async_callback(engine.dispose)
        run_connection = OwnConnection(libpq_url(config.database_url))
        stack.push_async_callback(run_connection.close)
        # None kept open: few runs use the queue (resumes, the project's next run), and an idle
        # engine process should hold no PostgreSQL backend.
        queue = JobQueue(libpq_url(config.database_url), pool_size=POOL_SIZE, keep_open=0)
        await queue.open()
        stack.push_async_callback(queue.close)
        code_runtime = code_runtime_for(config.settings)
        stack.push_async_callback(code_runtime.close)
        file_storage = await stack.enter_async_context(open_file_storage(config.settings.s3))
        yield build_run_executor(
            config.settings,
            sessions=session_factory(engine),
            run_connection=run_connection,
            queue=queue,
            registry=PieceRegistry.discover(piece_dirs=[Path(config.pieces_dir)]),
            code_runtime=code_runtime,
            secret_box=SecretBox(config.settings.encryption_key),
            file_storage=file_storage,
        )


async def serve(config: EngineConfig, connection: Connection) -> None:
    """Answers run requests until the worker closes the pipe."""
    async with open_engine(config) as execute:
        connection.send(("ready", os.getpid()))
        while True:
            try:
                kind, *request = await receive(connection)
            except EOFError:
                return
            if kind == "environ":
                os.environ.clear()
                os.environ.update(request[0])
                continue
            run_id, job_id = request
            executed = await execute.execute(run_id, job_id=job_id)
            connection.send(("done", run_id, executed.started, executed.job_ended))


def die_with_parent() -> None:
    """Asks Linux to kill this process when its parent dies (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


async def watch_worker(worker_pid: int) -> None:
    """Exits the process at once when the worker that started it is gone."""
    try:
        pidfd = os.pidfd_open(worker_pid)  # Linux 5.3+: readable once the process has exited
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        gone = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_reader(pidfd, gone.set)
        try:
            await gone.wait()
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        os._exit(1)
    while True:
        await asyncio.sleep(WORKER_WATCH_INTERVAL_S)
        if not psutil.pid_exists(worker_pid):
            os._exit(1)


async def _main(config: EngineConfig, connection: Connection) -> None:
    # Set by EngineProcess.start, the only way an engine process starts (the parent is the
    # forkserver, not the worker, so no fallback would be right).
    assert config.worker_pid > 0, "EngineConfig.worker_pid is set by EngineProcess.start"
    watcher = asyncio.create_task(watch_worker(config.worker_pid))
    try:
        await serve(config, connection)
    finally:
        watcher.cancel()


def run_engine(config: EngineConfig, connection: Connection) -> None:
    """The engine process's body (the target of its multiprocessing.Process)."""
    die_with_parent()
    # Ctrl+C in a terminal reaches the whole process group: the worker decides when this stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if config.environ:
        os.environ.clear()
        os.environ.update(config.environ)
    if config.cwd:
        with contextlib.suppress(OSError):
            os.chdir(config.cwd)
    configure_logging()
    try:
        event_loop.run(_main(config, connection))
    except Exception:
        log.exception("the engine process stopped")
        raise SystemExit(1) from None
