"""The worker's warm pool of engine processes: each runs one run at a time.

Runs execute out of the worker process so a run that eats memory, blocks its event loop or
crashes the interpreter takes down one engine process, not the worker. The pool keeps `warm`
processes started ahead of demand (from its first run where starting one is cheap) and up to
`size` (the worker's concurrency) in all; idle ones beyond `warm` stop after IDLE_STOP_S, and
the warm ones too when no run came for `cold_after_s` (an idle desktop gives the memory back;
the next run starts a process and the pool warms again). A process that dies is replaced and
its run continues in a new one from its log (DEATHS_PER_RUN times at most); one past its memory
limit or its time is killed, and its run ends MEMORY_LIMIT_EXCEEDED or TIMEOUT.
"""

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import RunResult, RunStatus
from server.services import runs
from server.services.queue import Executed, JobQueue
from server.worker.engine_config import EngineConfig
from server.worker.engine_process import Ending, EngineProcess, EngineStartError
from server.worker.engine_template import forked, stop_template, template_running

log = logging.getLogger(__name__)

#: Engine deaths one run survives; the next one ends it INTERNAL_ERROR.
DEATHS_PER_RUN = 3
#: Idle processes beyond the warm ones stop after this many seconds.
IDLE_STOP_S = 60.0
#: Seconds between two looks at the pool by its keeper.
KEEPER_INTERVAL_S = 5.0
#: Tries to start a process for a run before the run fails.
START_TRIES = 3


class EnginePool:
    """Engine processes of one worker."""

    def __init__(
        self,
        config: EngineConfig,
        *,
        size: int,
        warm: int,
        cold_after_s: float,
        memory_limit_mb: int,
        flow_timeout_s: float,
        sessions: Callable[[], AsyncSession],
        queue: JobQueue,
        on_cold: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._config = config
        self._size = max(size, 1)
        self._warm = min(max(warm, 0), self._size)
        self._cold_after_s = cold_after_s
        #: When the last run came. Where the template is a fork of this process, an engine
        #: process starts in ~0.1 s: the pool starts cold, and an idle server holds none until
        #: its first run. A spawned template takes seconds to import everything, so there the
        #: start counts as a run and warms the pool (and the template) ahead of the first one.
        self._last_run = -math.inf if forked() else asyncio.get_running_loop().time()
        #: Called as the pool goes cold (e.g. to close the worker's idle database connections).
        self._on_cold = on_cold
        self._cold = False
        self._memory_limit_mb = memory_limit_mb
        #: Killed from outside past this: the run's own timeout plus a margin for it to act.
        self._hard_timeout_s = flow_timeout_s + max(5.0, flow_timeout_s * 0.1)
        self._flow_timeout_s = flow_timeout_s
        self._sessions = sessions
        self._queue = queue
        self._idle: list[EngineProcess] = []
        self._busy: set[EngineProcess] = set()
        self._slots = asyncio.Semaphore(self._size)
        self._generation = 0
        self._wake = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None
        self._closed = False
        self._stopping: set[asyncio.Task[None]] = set()
        #: Engine process starts in progress, and whether the template may be used (cleared while
        #: it stops: a start waits, and the template is stopped only with no start in progress).
        self._starts = 0
        self._template_usable = asyncio.Event()
        self._template_usable.set()

    async def start(self) -> None:
        """Starts the keeper, which starts the warm processes in the background."""
        self._keeper = asyncio.create_task(self._keep(), name="engine-pool")

    async def close(self) -> None:
        """Stops every process (a run in progress is left to recovery)."""
        self._closed = True
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        engines = [*self._idle, *self._busy]
        self._idle.clear()
        await asyncio.gather(
            *(engine.stop() for engine in engines), *self._stopping, return_exceptions=True
        )

    def recycle(self) -> None:
        """Pieces changed: idle processes are replaced now, busy ones after their run."""
        self._generation += 1
        stale, self._idle = self._idle, []
        for engine in stale:
            self._stop_later(engine)
        self._wake.set()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live engine processes (idle first)."""
        return [engine.pid for engine in [*self._idle, *self._busy] if engine.alive]

    async def execute(self, run_id: str) -> bool:
        """Runs the run in an engine process; False when its project is at its limit."""
        return (await self.execute_taken(run_id, None)).started

    async def execute_taken(self, run_id: str, job_id: int | None) -> Executed:
        """Runs the run in an engine process; with `job_id` (a job this process's worker took
        as the run was queued), the run's end ends the job too when the engine ends the run."""
        deaths = 0
        self._last_run = asyncio.get_running_loop().time()
        async with self._slots:
            while True:
                engine = await self._take(run_id)
                if engine is None:
                    return Executed(started=True)
                self._busy.add(engine)
                try:
                    outcome = await engine.run(
                        run_id,
                        job_id=job_id,
                        timeout_s=self._hard_timeout_s,
                        memory_limit_bytes=self._memory_limit_mb * 2**20,
                    )
                finally:
                    self._busy.discard(engine)
                if outcome.ending is Ending.DONE:
                    self._give_back(engine)
                    return Executed(started=outcome.started, job_ended=outcome.job_ended)
                self._wake.set()
                if outcome.ending is Ending.MEMORY and await self._end(
                    run_id,
                    RunStatus.MEMORY_LIMIT_EXCEEDED,
                    f"The run used {outcome.detail} of memory, more than the"
                    f" {self._memory_limit_mb} MB allowed (PW_SANDBOX_MEMORY_LIMIT_MB), and was"
                    " stopped",
                ):
                    return Executed(started=True)
                if outcome.ending is Ending.TIMEOUT and await self._end(
                    run_id,
                    RunStatus.TIMEOUT,
                    f"The run did not finish within {self._flow_timeout_s:g} s"
                    " (PW_FLOW_TIMEOUT_SECONDS) and its engine process was stopped",
                ):
                    return Executed(started=True)
                deaths += 1
                if deaths >= DEATHS_PER_RUN:
                    await self._end(
                        run_id,
                        RunStatus.INTERNAL_ERROR,
                        f"The engine process running this run stopped {deaths} times (last:"
                        f" {outcome.detail}); see the worker log",
                    )
                    return Executed(started=True)
                log.warning(
                    "the engine process running run %s stopped (%s); the run continues from"
                    " its log in a new one",
                    run_id,
                    outcome.detail,
                )
                async with self._sessions() as session:
                    await runs.requeue_stalled(session, run_id)

    async def _take(self, run_id: str) -> EngineProcess | None:
        """An idle current process, else a new one; None (the run failed) when none starts."""
        while self._idle:
            engine = self._idle.pop()
            if engine.alive and engine.generation == self._generation:
                self._wake.set()  # the keeper starts a replacement ahead of the next run
                return engine
            self._stop_later(engine)
        error: EngineStartError | None = None
        for attempt in range(START_TRIES):
            try:
                return await self._start_engine()
            except EngineStartError as err:
                error = err
                log.error("%s (try %s of %s)", err, attempt + 1, START_TRIES)
                await asyncio.sleep(0.5 * 2**attempt)
        await self._end(
            run_id, RunStatus.INTERNAL_ERROR, f"The run could not start: {error}", status_now=None
        )
        return None

    def _stop_later(self, engine: EngineProcess) -> None:
        task = asyncio.create_task(engine.stop())
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    def _give_back(self, engine: EngineProcess) -> None:
        self._last_run = asyncio.get_running_loop().time()  # a run ended: as good as one coming
        if self._closed or not engine.alive or engine.generation != self._generation:
            self._stop_later(engine)
            return
        self._idle.append(engine)

    async def _end(
        self,
        run_id: str,
        status: RunStatus,
        message: str,
        *,
        status_now: RunStatus | None = RunStatus.RUNNING,
    ) -> bool:
        """Ends a run its engine could not finish; False when the run was not RUNNING."""
        log.error("run %s: %s", run_id, message)
        async with self._sessions() as session:
            project_id = await runs.end_run(
                session,
                run_id,
                RunResult(status=status, error_message=message),
                only_if=status_now,
            )
        if project_id is None:
            return False
        await self._queue.wake_next_run(project_id)
        return True

    async def _keep(self) -> None:
        """Keeps `warm` idle processes ready and stops the extra ones that idle too long."""
        while not self._closed:
            try:
                cold = asyncio.get_running_loop().time() - self._last_run > self._cold_after_s
                warm = 0 if cold else self._warm
                await self._trim(warm, cold=cold)
                if cold != self._cold:
                    self._cold = cold
                    if cold and self._on_cold is not None:
                        await self._went_cold(self._on_cold)
                idle_pool = not self._idle and not self._busy and not self._starts
                if cold and idle_pool and template_running() and not forked():
                    await self._stop_template()
                while (
                    sum(e.alive for e in self._idle) < warm
                    and len(self._idle) + len(self._busy) < self._size
                ):
                    engine = await self._start_engine()
                    if self._closed:
                        await engine.stop()
                        return
                    self._give_back(engine)
            except EngineStartError as err:
                log.error("%s; trying again in %g s", err, KEEPER_INTERVAL_S)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), KEEPER_INTERVAL_S)

    @staticmethod
    async def _went_cold(on_cold: Callable[[], Awaitable[None]]) -> None:
        try:
            await on_cold()
        except Exception:  # giving memory back is not worth stopping the pool for
            log.exception("going cold failed")

    async def _start_engine(self) -> EngineProcess:
        await self._template_usable.wait()
        self._starts += 1
        try:
            return await EngineProcess.start(self._config, generation=self._generation)
        finally:
            self._starts -= 1

    async def _stop_template(self) -> None:
        """Gone cold with no process left: the forkserver's memory goes back too (the next run
        starts it again, a second or so of imports)."""
        self._template_usable.clear()
        try:
            if await asyncio.to_thread(stop_template):
                log.info("no run for a while: the engine template stopped until the next run")
        finally:
            self._template_usable.set()

    async def _trim(self, warm: int, *, cold: bool) -> None:
        now = asyncio.get_running_loop().time()
        keep: list[EngineProcess] = []
        stop: list[EngineProcess] = []
        for engine in self._idle:
            extra = len(keep) >= warm
            if not engine.alive or (extra and (cold or now - engine.idle_since > IDLE_STOP_S)):
                stop.append(engine)
            else:
                keep.append(engine)
        self._idle = keep
        await asyncio.gather(*(engine.stop() for engine in stop), return_exceptions=True)
