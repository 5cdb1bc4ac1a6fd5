"""What a server or worker process holds while it runs: database, queue, waiter, engine."""

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pieces.framework import PieceRegistry
from server import data_dir
from server.db import migrate
from server.db.base import utcnow
from server.db.engine import create_engine, libpq_url, session_factory
from server.db.models import FlowRunRow
from server.db.own_connection import OwnConnection
from server.embedded_pg import EmbeddedPostgres
from server.secrets_box import SecretBox
from server.services import files, piece_installations, polling, runs, schedules, trigger_sources
from server.services.event_hub import EventHub
from server.services.file_storage import FileStorage, open_file_storage
from server.services.notifications import Notifications
from server.services.queue import Executed, JobQueue
from server.services.run_intake import QueuedRun, RunIntake
from server.services.run_sweeper import end_stray_jobs, requeue_orphaned_runs
from server.services.run_waiter import RunWaiter
from server.services.tokens import TokenSettings
from server.services.trigger_hooks import TriggerEnvironment
from server.settings import Settings
from server.worker.engine_config import EngineConfig
from server.worker.engine_pool import EnginePool
from server.worker.executor_setup import build_run_executor, code_runtime_for
from server.worker.run_executor import RunExecutor

log = logging.getLogger(__name__)

#: Seconds between two passes of the scheduler over due schedules.
SCHEDULER_INTERVAL_S = 1.0
#: Seconds between two deletions of runs past the retention period.
CLEANUP_INTERVAL_S = 3600.0
#: Seconds between two looks for QUEUED runs that lost their job (run_sweeper).
SWEEP_INTERVAL_S = 30.0


def pieces_dir(settings: Settings) -> Path:
    """Where uploaded piece wheels are unpacked, one directory per name and version."""
    return settings.data_dir / "pieces"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerContext:
    """The process-wide objects request handlers and the worker use."""

    settings: Settings
    database_url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    queue: JobQueue
    waiter: RunWaiter
    #: Live events for WebSocket clients (LISTEN on the database).
    events: EventHub
    tokens: TokenSettings
    secret_box: SecretBox
    registry: PieceRegistry
    #: Executes runs without engine processes (and builds code checks with its runtime).
    run_executor: RunExecutor
    #: The worker's engine processes (None: not a worker, or PW_ENGINE_ISOLATION=NONE).
    engines: "EnginePool | None"
    #: Where file contents live (the files table, or S3 with PW_FILE_STORAGE=S3).
    file_storage: FileStorage
    #: Writes webhook events' runs and jobs, the events of the same moment together.
    intake: RunIntake


@contextlib.asynccontextmanager
async def open_context(
    settings: Settings, *, worker: bool, starting: EmbeddedPostgres | None = None
) -> AsyncIterator[ServerContext]:
    """Starts everything in order (embedded Postgres, migrations, pools, worker) and stops it in
    reverse; `starting` is the embedded Postgres when the caller began its start already."""
    async with contextlib.AsyncExitStack() as stack:
        database_url = settings.database_url
        postgres: EmbeddedPostgres | None = None
        if database_url is None:
            postgres = starting or EmbeddedPostgres(settings.data_dir)
            database_url = await postgres.start()
            stack.push_async_callback(postgres.stop)
        await asyncio.to_thread(migrate.upgrade, database_url)
        if postgres is not None:
            # After the migrations: an older Piecework now refuses this dir instead of misreading it.
            data_dir.write_marker(
                settings.data_dir, current=data_dir.app_version(), postgres_major=postgres.major
            )
        engine = create_engine(database_url)
        stack.push_async_callback(engine.dispose)
        sessions = session_factory(engine)
        queue = JobQueue(libpq_url(database_url))
        await queue.open()
        stack.push_async_callback(queue.close)
        notifications = Notifications(conninfo=libpq_url(database_url))
        waiter = RunWaiter(notifications=notifications, sessions=sessions)
        events = EventHub(notifications=notifications)
        await notifications.start()
        stack.push_async_callback(notifications.stop)
        await piece_installations.unpack_missing(sessions, pieces_dir(settings))
        registry = PieceRegistry.discover(piece_dirs=[pieces_dir(settings)])
        load_announced = piece_installations.announced_listener(
            sessions=sessions, pieces_dir=pieces_dir(settings), registry=registry
        )
        pool: list[EnginePool] = []  # the engine pool, once made

        async def on_piece_installed(message: dict[str, Any]) -> None:
            await load_announced(message)
            for engines in pool:
                engines.recycle()  # engine processes load pieces when they start

        events.listen(piece_installations.PIECE_INSTALLED, on_piece_installed)
        async with sessions() as session:
            added = await trigger_sources.record_missing(
                session, registry=registry, poll_interval=poll_settings(settings).interval
            )
        if added:
            log.info("recorded the trigger sources of %s flows turned on earlier", added)
        code_runtime = code_runtime_for(settings)
        stack.push_async_callback(code_runtime.close)
        secret_box = SecretBox(settings.encryption_key)
        file_storage = await stack.enter_async_context(open_file_storage(settings.s3))
        engines: EnginePool | None = None
        if worker and settings.engine_isolation == "PROCESS":
            engines = EnginePool(
                EngineConfig(settings, database_url, str(pieces_dir(settings))),
                size=settings.worker_concurrency,
                warm=settings.engine_warm_processes,
                cold_after_s=settings.engine_cold_after_minutes * 60,
                memory_limit_mb=settings.sandbox_memory_limit_mb,
                flow_timeout_s=settings.flow_timeout_s,
                sessions=sessions,
                queue=queue,
                # After a burst the pool holds up to 20 connections, each a PostgreSQL backend;
                # once no run came for a while they close (the next use opens one).
                on_cold=engine.dispose,
            )
            await engines.start()
            stack.push_async_callback(engines.close)
            pool.append(engines)
        intake = RunIntake(libpq_url(database_url))
        if engines is not None:
            # Runs of sync calls taken by this process's worker start as soon as they are
            # stored; their jobs end with the runs' ends (or in the intake's next write).
            intake.on_taken = partial(
                _run_taken, queue=queue, execute=engines.execute_taken, end_job=intake.end_job
            )
        stack.push_async_callback(intake.close)
        # Runs executed in this process (no engine processes, or the tests' direct calls).
        run_connection = OwnConnection(libpq_url(database_url))
        stack.push_async_callback(run_connection.close)
        context = ServerContext(
            settings=settings,
            database_url=database_url,
            engine=engine,
            sessions=sessions,
            queue=queue,
            waiter=waiter,
            events=events,
            tokens=TokenSettings(
                jwt_secret=settings.jwt_secret,
                expiry=timedelta(hours=settings.jwt_expiry_hours),
                refresh_expiry=timedelta(days=settings.jwt_refresh_expiry_days),
                local_token=settings.local_token,
            ),
            secret_box=secret_box,
            registry=registry,
            run_executor=build_run_executor(
                settings,
                sessions=sessions,
                run_connection=run_connection,
                queue=queue,
                registry=registry,
                code_runtime=code_runtime,
                secret_box=secret_box,
                file_storage=file_storage,
            ),
            engines=engines,
            file_storage=file_storage,
            intake=intake,
        )
        if worker:
            task = asyncio.create_task(run_worker(context), name="worker")
            stack.push_async_callback(_cancel, task)
        yield context


def _run_taken(
    run: QueuedRun,
    *,
    queue: JobQueue,
    execute: Callable[[str, int], Awaitable[Executed]],
    end_job: Callable[[int], Awaitable[None]],
) -> None:
    queue.run_taken_job(run.job_id, run.run_id, execute, end_job=end_job)


async def run_worker(context: ServerContext) -> None:
    """Executes queued runs and fires due schedules until cancelled."""
    name = f"{socket.gethostname()}-{os.getpid()}"
    log.info(
        "worker %s started (concurrency %s, runs in %s)",
        name,
        context.settings.worker_concurrency,
        "the worker process" if context.engines is None else "engine processes",
    )
    scheduler = asyncio.create_task(run_scheduler(context), name="scheduler")
    try:
        await context.queue.run_worker(
            context.run_executor if context.engines is None else context.engines.execute,
            concurrency=context.settings.worker_concurrency,
            name=name,
            resume_waitpoint=context.run_executor.resume_delay,
            poll_trigger=lambda flow_id: poll_trigger(context, flow_id),
            stalled_s=context.settings.worker_stalled_s,
        )
    finally:
        await _cancel(scheduler)


async def run_scheduler(context: ServerContext) -> None:
    """Every second, turns due schedules into queued runs and due polling triggers into poll
    jobs (safe with many workers); every 30 s, queues again runs that lost their job and ends
    jobs left running for runs that ended; every hour, deletes runs older than the retention
    period."""
    last_cleanup = float("-inf")
    last_stall_check = float("-inf")
    last_sweep = float("-inf")
    while True:
        try:
            if time.monotonic() - last_stall_check > context.settings.worker_stalled_s / 3:
                last_stall_check = time.monotonic()
                await recover_stalled_runs(context)
            if time.monotonic() - last_sweep > SWEEP_INTERVAL_S:
                last_sweep = time.monotonic()
                async with context.sessions() as session:
                    await requeue_orphaned_runs(session, queue=context.queue)
                    await end_stray_jobs(session)
            async with context.sessions() as session:  # one connection, two transactions
                for run_id in await schedules.fire_due(session, now=utcnow()):
                    await context.queue.defer_run(run_id, sync=False)
                due = await polling.claim_due(
                    session, now=utcnow(), interval=poll_settings(context.settings).interval
                )
            for flow_id in due:
                await context.queue.defer_poll(flow_id)
            if time.monotonic() - last_cleanup > CLEANUP_INTERVAL_S:
                last_cleanup = time.monotonic()
                before = utcnow() - timedelta(days=context.settings.run_retention_days)
                async with context.sessions() as session:
                    await files.delete_contents(
                        session,
                        storage=context.file_storage,
                        where=FlowRunRow.finished.is_not(None) & (FlowRunRow.finished < before),
                    )
                    deleted = await runs.delete_finished_before(session, before=before)
                if deleted:
                    log.info(
                        "deleted %s runs older than %s days",
                        deleted,
                        context.settings.run_retention_days,
                    )
        except Exception:  # the scheduler must outlive a database hiccup; the next pass retries
            log.exception("schedule pass failed")
        await asyncio.sleep(SCHEDULER_INTERVAL_S)


def trigger_environment(context: ServerContext) -> TriggerEnvironment:
    """What the process gives triggers: its sessions, the key to connections, its public URL."""
    return TriggerEnvironment(
        sessions=context.sessions,
        box=context.secret_box,
        public_url=context.settings.public_url,
    )


def poll_settings(settings: Settings) -> polling.PollSettings:
    """The poller's interval, time limit and failure threshold from the settings."""
    return polling.PollSettings(
        interval=timedelta(minutes=settings.trigger_poll_interval_minutes),
        timeout_s=settings.trigger_timeout_s,
        failure_threshold=settings.trigger_failure_threshold,
    )


async def poll_trigger(context: ServerContext, flow_id: str) -> None:
    """The poll job: polls the flow's trigger once and queues a run per new item."""
    async with context.sessions() as session:
        run_ids = await polling.poll_source(
            session,
            flow_id=flow_id,
            registry=context.registry,
            environment=trigger_environment(context),
            settings=poll_settings(context.settings),
        )
    for run_id in run_ids:
        await context.queue.defer_run(run_id, sync=False)


async def recover_stalled_runs(context: ServerContext) -> None:
    """Runs whose worker died (no heartbeat) are queued again, in a new job; they replay from
    their log. The stalled job is removed rather than retried: its worker, if it was only taken
    for dead, would otherwise end the job of the new execution when its own execution stops.
    The run goes back to QUEUED first: if this worker stops before the new job is queued, the
    run is a QUEUED run without a job, which the sweeper queues again."""
    for stalled in await context.queue.stalled_runs(stalled_s=context.settings.worker_stalled_s):
        async with context.sessions() as session:
            queued = await runs.requeue_stalled(session, stalled.run_id)
        if not await context.queue.take_stalled_job(stalled.job_id):
            log.debug("stalled job %s was taken by another worker", stalled.job_id)
            continue
        if queued:
            await context.queue.defer_run(stalled.run_id, sync=stalled.sync)
            log.warning("run %s lost its worker; it continues from its log", stalled.run_id)


async def _cancel(task: "asyncio.Task[None]") -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
