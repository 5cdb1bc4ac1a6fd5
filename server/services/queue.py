"""The job queue on PostgreSQL (procrastinate): run jobs, sync-webhook runs ahead of others."""

import logging
from collections.abc import Awaitable, Callable

import procrastinate

log = logging.getLogger(__name__)

#: The task that executes one flow run.
RUN_TASK = "piecework.run_flow"
#: Queues a worker takes jobs from: runs whose caller waits (sync webhooks), then the rest.
SYNC_RUNS_QUEUE = "sync_runs"
ASYNC_RUNS_QUEUE = "async_runs"
#: Fetch polling interval; LISTEN/NOTIFY wakes workers sooner, this is the fallback.
FETCH_POLLING_INTERVAL_S = 0.5


class JobQueue:
    """Defers run jobs, and runs a worker that executes them."""

    def __init__(self, conninfo: str) -> None:
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))

    async def open(self) -> None:
        """Opens the queue's connection pool."""
        await self.app.open_async()

    async def close(self) -> None:
        """Closes the queue's connection pool."""
        await self.app.close_async()

    async def defer_run(self, run_id: str, *, sync: bool) -> None:
        """Queues a run; sync runs (a caller is waiting) are fetched first."""
        task = self.app.configure_task(
            name=RUN_TASK,
            queue=SYNC_RUNS_QUEUE if sync else ASYNC_RUNS_QUEUE,
            priority=10 if sync else 0,
        )
        await task.defer_async(run_id=run_id)

    async def run_worker(
        self, execute_run: Callable[[str], Awaitable[None]], *, concurrency: int, name: str
    ) -> None:
        """Executes run jobs until cancelled."""

        async def run_flow(run_id: str) -> None:
            await execute_run(run_id)

        if RUN_TASK not in self.app.tasks:
            self.app.task(name=RUN_TASK, queue=ASYNC_RUNS_QUEUE)(run_flow)
        await self.app.run_worker_async(
            queues=[SYNC_RUNS_QUEUE, ASYNC_RUNS_QUEUE],
            concurrency=concurrency,
            name=name,
            fetch_job_polling_interval=FETCH_POLLING_INTERVAL_S,
            install_signal_handlers=False,
            delete_jobs="successful",
        )
