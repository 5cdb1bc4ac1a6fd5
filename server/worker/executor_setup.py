"""Builds the run executor the same way in a worker and in an engine process."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from engine.runtime.code_runtime import DenoCodeRuntime
from engine.runtime.deno_process import cache_dir_from_env
from engine.runtime.executor import FlowExecutor
from pieces.framework import PieceRegistry, ServerInfo
from pieces.framework.network import NetworkPolicy
from server.db.own_connection import OwnConnection
from server.secrets_box import SecretBox
from server.services.file_storage import FileStorage
from server.services.queue import JobQueue
from server.services.run_logs import PostgresOutputStore, PostgresRunStore
from server.services.waitpoints import DatabaseWaitpoints
from server.settings import Settings
from server.worker.run_executor import RunExecutor


def code_runtime_for(settings: Settings) -> DenoCodeRuntime:
    """The code-step runtime (Deno processes start on first use; close it when done)."""
    return DenoCodeRuntime(
        network=NetworkPolicy.from_env(),
        cache_dir=cache_dir_from_env(settings.data_dir / "deno-cache"),
    )


def build_run_executor(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    run_connection: OwnConnection,
    queue: JobQueue,
    registry: PieceRegistry,
    code_runtime: DenoCodeRuntime,
    secret_box: SecretBox,
    file_storage: FileStorage,
) -> RunExecutor:
    """The body of the run job, reading and writing runs through `sessions`, and starting and
    ending them on `run_connection`."""
    run_store = PostgresRunStore(sessions, run_connection)
    executor = FlowExecutor(
        registry=registry,
        code_runtime=code_runtime,
        server=ServerInfo(public_url=settings.public_url),
        run_store=run_store,
        outputs=PostgresOutputStore(sessions),
        waitpoints=DatabaseWaitpoints(sessions, public_url=settings.public_url),
    )
    return RunExecutor(
        sessions=sessions,
        run_connection=run_connection,
        executor=executor,
        flow_timeout_s=settings.flow_timeout_s,
        concurrency_limit=settings.concurrent_jobs_limit,
        box=secret_box,
        max_file_bytes=int(settings.max_file_size_mb * 1024 * 1024),
        file_storage=file_storage,
        queue=queue,
        personal_allowed=settings.personal_piece_allowed,
        run_store=run_store,
    )
