"""A supervised pool of pre-started Deno processes, each of which serves exactly one execution.

A process is started ahead of demand with its own temporary directory and its fixed permission
flags, loads the runner and waits for one request on stdin. The pool hands it to one execution,
which discards it afterwards (the process exits, its directory is removed), and starts a
replacement in the background right away. Nothing can survive from one execution to the next,
and at low load an execution does not wait for Deno to start.

The pool starts lazily on first use and belongs to the event loop it started on. `close()` stops
every process it started; if it is never called, the processes are stopped when the event loop
shuts down its async generators (as `asyncio.run` and `asyncio.Runner` do), and a process still
waiting for a request exits by itself when its stdin closes because Python went away.
"""

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from engine.runtime.errors import CodeExecutionError

log = logging.getLogger(__name__)

#: How many processes wait for a request when PW_CODE_POOL_SIZE is unset (one per core here).
DEFAULT_POOL_SIZE = 2


#: How long a process that delivered its result may take to exit before it is killed.
_EXIT_GRACE_S = 2.0


class PoolSizeError(ValueError):
    """PW_CODE_POOL_SIZE is not a whole number from 0 up."""

    code = "INVALID_CODE_POOL_SIZE"


def pool_size_from_env() -> int:
    """Reads PW_CODE_POOL_SIZE: how many Deno processes wait ready (0: start one per execution).

    Raises:
        PoolSizeError: the value is not a whole number from 0 up.
    """
    raw = os.environ.get("PW_CODE_POOL_SIZE", "").strip()
    if not raw:
        return DEFAULT_POOL_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = -1
    if size < 0:
        raise PoolSizeError(f"PW_CODE_POOL_SIZE must be a whole number from 0 up, not {raw!r}")
    return size


@dataclass(slots=True, kw_only=True, eq=False)
class WarmProcess:
    """A started Deno process and the temporary directory it alone may read and write."""

    process: asyncio.subprocess.Process
    workdir: Path

    @property
    def pid(self) -> int:
        """The operating system's id of the process."""
        return self.process.pid


#: Starts one process; raises (typically OSError) when it cannot.
Spawner = Callable[[], Awaitable[WarmProcess]]


class DenoProcessPool:
    """Keeps `size` single-use Deno processes started ahead of demand."""

    def __init__(self, *, size: int, spawn: Spawner) -> None:
        """Creates an idle pool; nothing starts before the first `acquire()`.

        Args:
            size: how many processes wait ready; 0 starts one per `acquire()`.
            spawn: starts one process with its own temporary directory.
        """
        self._size = size
        self._spawn = spawn
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Queue[WarmProcess | Exception] = asyncio.Queue()
        self._starting = 0
        self._waiting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._live: set[WarmProcess] = set()
        self._in_use: set[WarmProcess] = set()
        self._guard: AsyncGenerator[None, None] | None = None

    @property
    def size(self) -> int:
        """How many processes wait ready between executions."""
        return self._size

    def ready_pids(self) -> list[int]:
        """The ids of the processes started and waiting for a request, for tests and diagnostics."""
        return [
            item.pid
            for item in list(self._ready._queue)  # type: ignore[attr-defined]  # a peek, no API for it
            if isinstance(item, WarmProcess)
        ]

    async def start(self) -> None:
        """Starts the pool on the running event loop, if it is not running there yet."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None:
            # Used from a new event loop (e.g. a second asyncio.run): the old loop's processes
            # cannot be awaited from here, so they are killed without waiting.
            self._abandon()
        self._loop = loop
        self._ready = asyncio.Queue()
        guard = self._stop_with_loop()
        await anext(guard)
        self._guard = guard
        self._replenish()

    async def acquire(self) -> WarmProcess:
        """Takes a started process for one execution; the caller must `discard()` it afterwards.

        Raises:
            CodeExecutionError: Deno could not be started.
        """
        await self.start()
        self._waiting += 1
        try:
            self._replenish()
            item = await self._ready.get()
        finally:
            self._waiting -= 1
            self._replenish()
        if isinstance(item, Exception):
            raise CodeExecutionError(f"Could not start Deno to run the code step: {item}") from item
        return item

    def release(self, warm: WarmProcess) -> None:
        """Ends a process that delivered its result: its directory goes now, the process soon.

        The runner exits right after its result; waiting for that (and killing the process if it
        does not exit within a grace period) runs in the background, so the caller does not wait.
        """
        shutil.rmtree(warm.workdir, ignore_errors=True)
        self._finished(warm)
        task = asyncio.create_task(self._reap(warm), name="deno-pool-reap")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reap(self, warm: WarmProcess) -> None:
        # Killing a process that has exited but is not reaped yet would reap it behind asyncio's
        # child watcher, so give the runner its grace period to exit by itself first.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(warm.process.wait()), _EXIT_GRACE_S)
        await self.discard(warm)

    async def discard(self, warm: WarmProcess) -> None:
        """Stops the process if it still runs, reaps it and removes its temporary directory."""
        self._live.discard(warm)
        self._finished(warm)
        process = warm.process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        # communicate() also closes stdin and drains the pipes, which closes the transport.
        await process.communicate()
        shutil.rmtree(warm.workdir, ignore_errors=True)

    async def close(self) -> None:
        """Stops every process the pool started, waiting or executing; the pool may start again."""
        guard, self._guard = self._guard, None
        if guard is not None:
            await guard.aclose()

    async def _stop_with_loop(self) -> AsyncGenerator[None, None]:
        # The loop closes suspended async generators when it shuts down, which runs this finally
        # if close() was never called.
        try:
            yield
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        self._loop = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        while not self._ready.empty():
            self._ready.get_nowait()
        for _ in range(self._waiting):
            self._ready.put_nowait(OSError("the code runtime was closed"))
        for warm in list(self._live):
            await self.discard(warm)

    def _finished(self, warm: WarmProcess) -> None:
        if warm in self._in_use:
            self._in_use.discard(warm)
            if self._loop is not None:
                self._replenish()

    def _replenish(self) -> None:
        # A process in use counts until its execution is over: starting its replacement only
        # then keeps Deno's start-up (CPU-heavy) from competing with that execution.
        have = self._ready.qsize() + self._starting + len(self._in_use)
        while have < self._size + self._waiting:
            have += 1
            self._starting += 1
            task = asyncio.create_task(self._start_one(), name="deno-pool-start")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _start_one(self) -> None:
        try:
            warm = await self._spawn()
        except Exception as err:  # a task boundary: the error goes to the execution waiting
            log.warning("could not start a Deno process for code steps: %s", err)
            self._starting -= 1
            self._ready.put_nowait(err)
            return
        self._starting -= 1
        self._live.add(warm)
        if self._loop is None:  # closed while it was starting
            await self.discard(warm)
            return
        self._ready.put_nowait(warm)

    def _abandon(self) -> None:
        for warm in list(self._live):
            with contextlib.suppress(ProcessLookupError):
                warm.process.kill()
            shutil.rmtree(warm.workdir, ignore_errors=True)
        self._live.clear()
        self._in_use.clear()
        self._tasks.clear()
        self._starting = 0
        self._waiting = 0
        self._guard = None
