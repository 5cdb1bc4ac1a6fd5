"""One engine process as its worker sees it: started, sent runs, its memory and time watched."""

import asyncio
import contextlib
import dataclasses
import logging
import multiprocessing.process
import os
import select
import signal
import sys
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any

import psutil

from server.worker.engine_config import EngineConfig
from server.worker.engine_main import run_engine
from server.worker.engine_template import engine_context
from server.worker.pipes import readable, receive

log = logging.getLogger(__name__)

#: Seconds between two looks at the memory of an engine process running a run.
WATCH_INTERVAL_S = 0.1
#: Longest an engine process may take to start (imports, piece discovery, database pools).
START_TIMEOUT_S = 120.0
#: Seconds an engine process gets to finish after its input is closed.
STOP_GRACE_S = 5.0


class EngineStartError(RuntimeError):
    """An engine process did not start; the message says why."""


class Ending(StrEnum):
    """How a run request to an engine process ended."""

    DONE = "DONE"
    #: The process stopped (a crash, a kill from outside); the run is where its log says.
    DIED = "DIED"
    #: Killed by its worker: it used more memory than allowed.
    MEMORY = "MEMORY"
    #: Killed by its worker: the run went past its time.
    TIMEOUT = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    ending: Ending
    #: False when the run's project was at its concurrency limit (DONE only).
    started: bool = True
    #: The run's end ended its taken job too (DONE only).
    job_ended: bool = False
    #: What happened, for messages: "killed by signal 9", "1,204 MB".
    detail: str = ""


def describe_exit(returncode: int | None) -> str:
    """'killed by signal 9 (SIGKILL)' or 'exit status 1'."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {-returncode} ({signal.Signals(-returncode).name})"
        return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class EngineProcess:
    """A started engine process; one run at a time."""

    def __init__(
        self, process: multiprocessing.process.BaseProcess, connection: Connection, generation: int
    ) -> None:
        self._process = process
        self._connection = connection
        #: The environment the process has (the worker's when it started, then as last sent).
        self._environ: dict[str, str] = {}
        #: The pool's generation when started (pieces installed since make it stale).
        self.generation = generation
        self.idle_since = asyncio.get_running_loop().time()

    @classmethod
    async def start(cls, config: EngineConfig, *, generation: int = 0) -> "EngineProcess":
        """Starts a process and waits until it can run.

        Raises:
            EngineStartError: it exited or did not answer in time.
        """
        # Pieces read the environment when imported: start with the worker's as it is now.
        config = dataclasses.replace(
            config, environ=dict(os.environ), cwd=os.getcwd(), worker_pid=os.getpid()
        )
        context = engine_context()
        ours, theirs = context.Pipe()
        process = context.Process(  # type: ignore[attr-defined]
            target=run_engine, args=(config, theirs), name="piecework-engine", daemon=True
        )
        # The first start waits for the template to import everything: not on the loop.
        starting = asyncio.ensure_future(asyncio.to_thread(process.start))
        try:
            await asyncio.shield(starting)
        except OSError as err:
            raise EngineStartError(f"an engine process could not be started: {err}") from None
        except BaseException:  # cancelled: the process may still appear; it must not linger
            with contextlib.suppress(Exception):
                await starting
            if process.pid is not None:
                process.kill()
                process.join(STOP_GRACE_S)
            raise
        finally:
            theirs.close()
        engine = cls(process, ours, generation)
        engine._environ = dict(config.environ)
        try:
            message = await asyncio.wait_for(receive(ours), START_TIMEOUT_S)
        except EOFError:
            await engine.kill()
            raise EngineStartError(
                "an engine process stopped before it was ready"
                f" ({describe_exit(process.exitcode)}); its error is in the log above"
            ) from None
        except TimeoutError:
            await engine.kill()
            raise EngineStartError(
                f"an engine process did not start within {START_TIMEOUT_S:g} s"
            ) from None
        except BaseException:
            await engine.kill()
            raise
        if not (isinstance(message, tuple) and message[:1] == ("ready",)):
            await engine.kill()
            raise EngineStartError(f"an engine process answered {message!r} instead of ready")
        return engine

    @property
    def pid(self) -> int:
        return int(self._process.pid or 0)

    @property
    def alive(self) -> bool:
        """Whether the process runs. Its sentinel becomes readable when it ends: one select()
        of it is ~10x cheaper than `Process.exitcode`, which builds a selector to poll it (the
        pool asks several times per run). Windows' sentinel is a handle select() cannot take."""
        if sys.platform != "win32" and self._process.sentinel is not None:
            with contextlib.suppress(OSError, ValueError):  # a closed sentinel: ask the process
                if not select.select([self._process.sentinel], [], [], 0)[0]:
                    return True
        return self._process.exitcode is None

    def memory_bytes(self) -> int:
        """Resident memory of the process itself (code steps' Deno processes have their own cap)."""
        try:
            return int(psutil.Process(self.pid).memory_info().rss)
        except psutil.Error:
            return 0

    async def run(
        self, run_id: str, *, job_id: int | None, timeout_s: float, memory_limit_bytes: int
    ) -> RunOutcome:
        """Sends the run (with its job, when the worker took it as the run was queued: the
        run's end ends it) and waits for its answer, killing the process past its memory or
        time.

        A cancelled call kills the process: the run is left where its log says, for recovery.
        """
        try:
            environ = dict(os.environ)
            if environ != self._environ:  # the engine sees the worker's environment as it is now
                self._connection.send(("environ", environ))
                self._environ = environ
            self._connection.send(("run", run_id, job_id))
        except OSError:
            return await self._died()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        answer = asyncio.ensure_future(receive(self._connection))
        try:
            while True:
                await asyncio.wait({answer}, timeout=WATCH_INTERVAL_S)
                if answer.done():
                    return await self._outcome(answer)
                used = self.memory_bytes()
                if memory_limit_bytes and used > memory_limit_bytes:
                    await self.kill()
                    return RunOutcome(Ending.MEMORY, detail=f"{used / 2**20:,.0f} MB")
                if loop.time() > deadline:
                    await self.kill()
                    return RunOutcome(Ending.TIMEOUT, detail=f"{timeout_s:g} s")
        except BaseException:
            await self.kill()
            raise
        finally:
            answer.cancel()
            self.idle_since = loop.time()

    async def _outcome(self, answer: "asyncio.Future[Any]") -> RunOutcome:
        try:
            message = answer.result()
        except (EOFError, OSError):
            return await self._died()
        if not (isinstance(message, tuple) and len(message) == 4 and message[0] == "done"):
            await self.kill()
            return RunOutcome(Ending.DIED, detail=f"it answered {message!r:.80}")
        return RunOutcome(Ending.DONE, started=bool(message[2]), job_ended=bool(message[3]))

    async def _died(self) -> RunOutcome:
        await self._wait(STOP_GRACE_S)
        return RunOutcome(Ending.DIED, detail=describe_exit(self._process.exitcode))

    async def _wait(self, timeout_s: float) -> bool:
        """Waits for the process to end; False if it still runs after `timeout_s`."""
        if self.alive:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(readable(self._process.sentinel), timeout_s)
        self._process.join(0)
        return not self.alive

    async def kill(self) -> None:
        """Stops the process at once."""
        if self.alive:
            self._process.kill()
        await self._wait(STOP_GRACE_S)
        self._connection.close()

    async def stop(self) -> None:
        """Closes its pipe (it exits after its run) and kills it if it lingers."""
        self._connection.close()
        if not await self._wait(STOP_GRACE_S):
            await self.kill()
