"""The job queue on PostgreSQL (procrastinate): run jobs, sync-webhook runs ahead of others, trigger polls."""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import procrastinate
import procrastinate.worker
import psycopg
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

#: The task that executes one flow run.
RUN_TASK = "piecework.run_flow"
#: The task that resumes a DELAY waitpoint at its time (kept in the queue across restarts).
RESUME_TASK = "piecework.resume_waitpoint"
#: The task that polls one flow's polling trigger.
POLL_TASK = "piecework.poll_trigger"
#: Queues a worker takes jobs from: runs whose caller waits (sync webhooks), then the rest.
SYNC_RUNS_QUEUE = "sync_runs"
ASYNC_RUNS_QUEUE = "async_runs"
#: Polls of polling triggers (below runs in priority, as Activepieces' EXECUTE_POLLING).
TRIGGER_POLLS_QUEUE = "trigger_polls"
#: Fetch polling interval; LISTEN/NOTIFY wakes workers sooner, this is the fallback.
FETCH_POLLING_INTERVAL_S = 0.5
#: Seconds before a worker that lost the database starts again, doubling up to the maximum.
RESTART_DELAY_S = 0.5
RESTART_DELAY_MAX_S = 5.0
#: Seconds a queue call waits for a database connection before it fails.
POOL_TIMEOUT_S = 5.0

# The oldest run job of a project that waits out its busy backoff is made due now, and workers
# are told as procrastinate tells them of a new job (its NOTIFY payload and channels).
_WAKE_NEXT_RUN = """
WITH next AS (
    SELECT job.id
      FROM procrastinate_jobs job
      JOIN flow_runs run ON run.id = job.args->>'run_id'
     WHERE job.task_name = %(task)s AND job.status = 'todo' AND job.scheduled_at > now()
       AND run.project_id = %(project_id)s AND run.status = 'QUEUED'
     ORDER BY job.priority DESC, job.id
     LIMIT 1
       FOR UPDATE OF job SKIP LOCKED
), woken AS (
    UPDATE procrastinate_jobs job SET scheduled_at = now()
      FROM next WHERE job.id = next.id
    RETURNING job.id, job.queue_name,
              json_build_object('type', 'job_inserted', 'job_id', job.id)::text AS payload
)
SELECT id,
       pg_notify('procrastinate_queue_v1#' || queue_name, payload),
       pg_notify('procrastinate_any_queue_v1', payload)
  FROM woken
"""


#: The jobs of new runs, as procrastinate's own defer function writes them (its
#: `procrastinate_defer_jobs_v1` is this INSERT; the jobs table's trigger wakes the workers), for
#: a statement that also inserts the runs: an event's runs and jobs are then one round trip.
#: Reads the relation `ready`: `run_id`, and `job_queue`, `job_priority`, `job_args` from
#: `run_job_columns`, and `worker`. A row with a `worker` is written as taken by that worker (a
#: job procrastinate's fetch would have given it): the server that accepts a sync webhook
#: executes its run itself (`JobQueue.run_taken_job`) instead of waiting for the queue's NOTIFY
#: and a fetch. Such a job is its worker's as any other: if the worker's heartbeat stops, it is
#: recovered as stalled. If the worker is gone from the queue's table (it stopped meanwhile),
#: the job is queued as `defer_run` queues it. Returns each job's `id`, its `run_id` and
#: whether it is `taken`.
RUN_JOBS_SQL = f"""
INSERT INTO procrastinate_jobs (queue_name, task_name, priority, args, status, worker_id)
SELECT ready.job_queue, '{RUN_TASK}', ready.job_priority, ready.job_args,
       CASE WHEN worker.id IS NULL THEN 'todo' ELSE 'doing' END::procrastinate_job_status,
       worker.id
  FROM ready
  LEFT JOIN procrastinate_workers worker ON worker.id = ready.worker
RETURNING id, args->>'run_id' AS run_id, status = 'doing' AS taken"""


#: Ends the jobs `%(job_ids)s` of runs that ended, as procrastinate's worker ends a job that
#: succeeded (`procrastinate_finish_job_v1(id, 'succeeded', delete_job => true)` is this
#: DELETE): for jobs taken as they were queued, ended in a batch with other writes.
END_RUN_JOBS_SQL = (
    "DELETE FROM procrastinate_jobs WHERE id = ANY(%(job_ids)s) AND status IN ('todo', 'doing')"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Executed:
    """How executing a run ended, for the worker that holds its job."""

    #: False: its project was at its concurrency limit (try again later).
    started: bool
    #: The run's end ended its job too (a job taken as the run was queued: `RUN_JOBS_SQL`).
    job_ended: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RunJobColumns:
    """The job `defer_run(run_id, sync=sync)` would queue, as RUN_JOBS_SQL's columns."""

    queue: str
    priority: int
    #: The task's arguments, as JSON.
    args: str


def run_job_columns(run_id: str, *, sync: bool) -> RunJobColumns:
    """The columns of a new run's job for RUN_JOBS_SQL."""
    return RunJobColumns(
        queue=_run_queue(sync),
        priority=_run_priority(sync),
        args=json.dumps({"run_id": run_id, "sync": sync, "attempt": 0}),
    )


def _run_queue(sync: bool) -> str:
    return SYNC_RUNS_QUEUE if sync else ASYNC_RUNS_QUEUE


def _run_priority(sync: bool) -> int:
    return 10 if sync else 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StalledRun:
    """A run job whose worker stopped sending heartbeats."""

    job_id: int
    run_id: str
    #: Whether a caller waits for it (a sync webhook): its new job goes to the sync queue.
    sync: bool


class JobQueue:
    """Defers run jobs, and runs a worker that executes them."""

    def __init__(self, conninfo: str, *, pool_size: int = 4, keep_open: int = 1) -> None:
        # A short wait for a pool connection: when the database is gone, the worker notices in
        # seconds (and starts again) rather than after the pool's default 30 s per call. The
        # pool's reconnection backoff doubles without a cap until `reconnect_timeout`; ending it
        # early lets the next call connect at once when the database is back.
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo,
            timeout=POOL_TIMEOUT_S,
            reconnect_timeout=POOL_TIMEOUT_S,
            # `keep_open` connections kept open, more while busy (idle ones close after 10
            # minutes): each costs a PostgreSQL backend's memory.
            min_size=keep_open,
            max_size=pool_size,
        )
        self.app = procrastinate.App(connector=connector)
        self._worker: procrastinate.worker.Worker | None = None
        self._taken: set[asyncio.Task[None]] = set()

    async def open(self) -> None:
        """Opens the queue's connection pool."""
        await self.app.open_async()

    async def close(self) -> None:
        """Closes the queue's connection pool (after the runs this process took, if any)."""
        await self._stop_taken()
        await self.app.close_async()

    async def _stop_taken(self) -> None:
        """Stops the runs this process's worker took as they were queued, as procrastinate's
        worker stops the jobs it fetched: their jobs are recovered as stalled once the worker
        is gone, and the runs continue from their logs."""
        for task in list(self._taken):
            task.cancel()
        await asyncio.gather(*self._taken, return_exceptions=True)

    @property
    def worker_id(self) -> int | None:
        """This process's worker in the queue's table while it runs (None: no worker here, or
        it is starting again): runs queued as taken by it (RUN_JOBS_SQL) are recovered
        if its heartbeat stops."""
        return None if self._worker is None else self._worker.worker_id

    def run_taken_job(
        self,
        job_id: int,
        run_id: str,
        execute_taken: Callable[[str, int], Awaitable[Executed]],
        *,
        end_job: Callable[[int], Awaitable[None]],
    ) -> None:
        """Executes, in the background, a run whose job this process's worker took as it was
        queued (RUN_JOBS_SQL), as the worker's `run_flow` would: the job ends with the run's
        end (`execute_taken(run_id, job_id)` ends it, in the run's last statement), or after
        it (by `end_job`, END_RUN_JOBS_SQL in a batch, when the run ended otherwise; by
        procrastinate, which keeps a failed job, when the execution raised); a run whose
        project is at its limit gets a new job, due after the busy backoff."""
        task = asyncio.create_task(
            self._run_taken(job_id, run_id, execute_taken, end_job), name=run_id
        )
        self._taken.add(task)
        task.add_done_callback(self._taken.discard)

    async def _run_taken(
        self,
        job_id: int,
        run_id: str,
        execute_taken: Callable[[str, int], Awaitable[Executed]],
        end_job: Callable[[int], Awaitable[None]],
    ) -> None:
        status = _SUCCEEDED
        try:
            executed = await execute_taken(run_id, job_id)
        except Exception:  # as procrastinate keeps a job whose task raised: failed
            log.exception("run %s failed in the worker that took it", run_id)
            status, executed = _FAILED, Executed(started=True)
        try:
            if status is not _SUCCEEDED:
                await self.app.job_manager.finish_job_by_id_async(
                    job_id, status=status, delete_job=False
                )
            elif not executed.job_ended:
                await end_job(job_id)
            if not executed.started:
                await self.defer_run(run_id, sync=True, attempt=1, delay_s=busy_backoff_s(0))
        except (ConnectorException, psycopg.Error) as err:
            # The job stays with this worker: once the worker starts again (it lost the
            # database too), the job is stalled and its run queued again if it needs to be; if
            # the worker lives on, the sweeper ends the job (`run_sweeper.end_stray_jobs`).
            log.warning("the job of run %s could not be ended: %s", run_id, err)

    async def defer_run(
        self,
        run_id: str,
        *,
        sync: bool,
        attempt: int = 0,
        delay_s: float = 0,
        session: AsyncSession | None = None,
    ) -> None:
        """Queues a run; sync runs (a caller is waiting) are fetched first.

        With `session`, the job is written in that session's transaction: it is queued when the
        caller commits, together with the run, or not at all.
        """
        connection = None
        if session is not None:
            raw = await (await session.connection()).get_raw_connection()
            connection = raw.driver_connection
        task = self.app.configure_task(
            name=RUN_TASK,
            queue=_run_queue(sync),
            priority=_run_priority(sync),
            schedule_in={"seconds": delay_s} if delay_s else None,
            connection=connection,
        )
        await task.defer_async(run_id=run_id, sync=sync, attempt=attempt)

    async def defer_resume(self, run_id: str, waitpoint_id: str, *, at: datetime) -> None:
        """Resumes a DELAY waitpoint at its time; the job waits in the database."""
        task = self.app.configure_task(name=RESUME_TASK, queue=ASYNC_RUNS_QUEUE, schedule_at=at)
        await task.defer_async(run_id=run_id, waitpoint_id=waitpoint_id)

    async def defer_poll(self, flow_id: str) -> bool:
        """Queues a poll of the flow's trigger; False if one is queued already.

        One queued poll per flow at most (`queueing_lock`); the poll itself locks the flow's
        trigger source, so two workers never poll it at once.
        """
        task = self.app.configure_task(
            name=POLL_TASK,
            queue=TRIGGER_POLLS_QUEUE,
            priority=-10,
            queueing_lock=f"poll:{flow_id}",
        )
        try:
            await task.defer_async(flow_id=flow_id)
        except AlreadyEnqueued:
            return False
        return True

    async def wake_next_run(self, project_id: str) -> None:
        """A run of the project ended or paused: the next run that waits for a free slot (busy
        backoff) is fetched now rather than when its backoff ends."""
        await self.app.connector.execute_query_all_async(
            _WAKE_NEXT_RUN, task=RUN_TASK, project_id=project_id
        )

    async def stalled_runs(self, *, stalled_s: float) -> list[StalledRun]:
        """Run jobs whose worker stopped sending heartbeats (it died, or seems to)."""
        jobs = await self.app.job_manager.get_stalled_jobs(
            task_name=RUN_TASK, seconds_since_heartbeat=stalled_s
        )
        return [
            StalledRun(
                job_id=job.id,
                run_id=str(job.task_kwargs["run_id"]),
                sync=bool(job.task_kwargs.get("sync", False)),
            )
            for job in jobs
            if job.id is not None and "run_id" in job.task_kwargs
        ]

    async def take_stalled_job(self, job_id: int) -> bool:
        """Removes a stalled job, so that its worker, if alive after all (a network split, a
        paused machine), cannot end it any more: it would end the job that runs the run now if
        that were the same job retried. False when it is gone already (another worker took it,
        or its own worker ended it after all)."""
        try:
            await self.app.job_manager.finish_job_by_id_async(
                job_id, status=procrastinate.jobs.Status.ABORTED, delete_job=True
            )
        except ConnectorException:
            return False
        return True

    async def run_worker(
        self,
        execute_run: Callable[[str], Awaitable[bool]],
        *,
        concurrency: int,
        name: str,
        resume_waitpoint: Callable[[str, str], Awaitable[None]] | None = None,
        poll_trigger: Callable[[str], Awaitable[None]] | None = None,
        stalled_s: float = 30.0,
    ) -> None:
        """Executes run jobs until cancelled; a run whose project is busy is queued again with
        backoff. Resume jobs call `resume_waitpoint(run_id, waitpoint_id)`, poll jobs
        `poll_trigger(flow_id)`."""

        async def run_flow(run_id: str, sync: bool = False, attempt: int = 0) -> None:
            if not await execute_run(run_id):
                await self.defer_run(
                    run_id, sync=sync, attempt=attempt + 1, delay_s=busy_backoff_s(attempt)
                )

        async def resume_delay(run_id: str, waitpoint_id: str) -> None:
            if resume_waitpoint is not None:
                await resume_waitpoint(run_id, waitpoint_id)

        async def poll(flow_id: str) -> None:
            if poll_trigger is not None:
                await poll_trigger(flow_id)

        if RUN_TASK not in self.app.tasks:
            self.app.task(name=RUN_TASK, queue=ASYNC_RUNS_QUEUE)(run_flow)
        if RESUME_TASK not in self.app.tasks:
            self.app.task(name=RESUME_TASK, queue=ASYNC_RUNS_QUEUE)(resume_delay)
        if POLL_TASK not in self.app.tasks:
            self.app.task(name=POLL_TASK, queue=TRIGGER_POLLS_QUEUE)(poll)
        try:
            await self._work(concurrency=concurrency, name=name, stalled_s=stalled_s)
        finally:
            # Stopped (the process stops): before the engine pool, so that the runs it took
            # are stopped as the fetched ones are, not ended as engine deaths.
            await self._stop_taken()

    async def _work(self, *, concurrency: int, name: str, stalled_s: float) -> None:
        pause_s = RESTART_DELAY_S
        while True:
            # procrastinate's worker stops when it loses the database (a restart, the network):
            # start it again, as a new worker; jobs the old one held are recovered as stalled.
            started = time.monotonic()
            self._worker = procrastinate.worker.Worker(
                app=self.app,
                queues=[SYNC_RUNS_QUEUE, ASYNC_RUNS_QUEUE, TRIGGER_POLLS_QUEUE],
                concurrency=concurrency,
                name=name,
                fetch_job_polling_interval=FETCH_POLLING_INTERVAL_S,
                install_signal_handlers=False,
                delete_jobs="successful",
                update_heartbeat_interval=max(stalled_s / 3, 0.5),
                stalled_worker_timeout=stalled_s,
            )
            try:
                await self._worker.run()  # type: ignore[no-untyped-call]
                reason = "it stopped"
            except (ConnectorException, psycopg.Error, OSError) as err:
                reason = str(err).strip().splitlines()[0] if str(err).strip() else repr(err)
            finally:
                self._worker = None
            if time.monotonic() - started > RESTART_DELAY_MAX_S:
                pause_s = RESTART_DELAY_S
            log.warning(
                "the job queue worker lost its database (%s); starting it again in %g s",
                reason,
                pause_s,
            )
            await asyncio.sleep(pause_s)
            pause_s = min(pause_s * 2, RESTART_DELAY_MAX_S)


_SUCCEEDED = procrastinate.jobs.Status.SUCCEEDED
_FAILED = procrastinate.jobs.Status.FAILED


def busy_backoff_s(attempt: int) -> float:
    """Wait before retrying a run whose project was at its limit: 0.25 s doubling up to 10 s."""
    return float(min(0.25 * 2**attempt, 10.0))
