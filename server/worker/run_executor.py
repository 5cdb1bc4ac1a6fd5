"""Executes one queued run: RUNNING, the engine, then the stored result."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import ExecutionMode, Flow, RunResult, RunStatus, Waitpoint, WaitpointType
from engine.runtime.executor import FlowExecutor
from engine.runtime.run_resources import DEFAULT_RUN_RESOURCES
from engine.runtime.run_store import RunTakenOverError
from server.db.models import FlowRunRow
from server.db.own_connection import OwnConnection
from server.logs import run_context
from server.secrets_box import EncryptionKeyError, SecretBox
from server.services import runs, test_runs, waitpoints
from server.services.database_store import DatabaseStore
from server.services.errors import ServiceError
from server.services.file_storage import DATABASE_STORAGE, FileStorage
from server.services.files import DatabaseFiles
from server.services.oauth2_refresh import fresh_connection_values
from server.services.piece_access import PersonalPolicy, PieceNotAllowedError, check_pieces
from server.services.queue import Executed, JobQueue
from server.services.run_logs import PostgresRunStore
from server.services.subflows import DatabaseSubflows

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunExecutor:
    """The body of the queue's run job."""

    sessions: Callable[[], AsyncSession]
    #: The connection of a run's start, checkpoints and end (`runs.start_run`,
    #: `PostgresRunStore`, `runs.finish_execution`).
    run_connection: OwnConnection
    executor: FlowExecutor
    flow_timeout_s: float
    #: Decrypts the project's connection values for the run.
    box: SecretBox
    #: Runs of one project that may run at once (PW_DEFAULT_CONCURRENT_JOBS_LIMIT).
    concurrency_limit: int = 100
    #: Largest file a step may write (PW_MAX_FILE_SIZE_MB).
    max_file_bytes: int = 25 * 1024 * 1024
    #: Where the files steps write keep their contents.
    file_storage: FileStorage = DATABASE_STORAGE
    #: Queues runs again (a resume that came before the pause) and DELAY resumes.
    queue: JobQueue | None = None
    #: Whether a personal_only piece may run here (Settings.personal_piece_allowed).
    personal_allowed: PersonalPolicy = lambda _name: True
    #: The executor's run store, told when a run starts with an empty log.
    run_store: PostgresRunStore | None = None

    async def __call__(self, run_id: str) -> bool:
        """Executes the run; False when its project is at its concurrency limit (retry later)."""
        return (await self.execute(run_id)).started

    async def execute(self, run_id: str, *, job_id: int | None = None) -> Executed:
        """Executes the run; with `job_id` (a job this process's worker took as the run was
        queued), its end ends the job too, when the execution ends the run itself."""
        async with self.run_connection.use() as connection:
            started = await runs.start_run(
                connection,
                run_id,
                concurrency_limit=self.concurrency_limit,
                sessions=self.sessions,
            )
        if started.busy:
            return Executed(started=False)
        if started.run is None or started.flow is None:
            log.info("run %s is not queued any more; job skipped", run_id)
            return Executed(started=True)
        run = started.run
        try:
            with run_context(run_id=run_id, flow_id=run.flow_id, project_id=run.project_id):
                return await self._execute(
                    run,
                    started.flow,
                    testing=started.testing,
                    hidden=started.hidden_pieces,
                    uses_connections=started.uses_connections,
                    job_id=job_id,
                )
        finally:
            # A last checkpoint held for the end and not taken (the execution stopped first).
            self._drop_held(run_id)

    async def _execute(
        self,
        run: FlowRunRow,
        flow: Flow,
        *,
        testing: bool,
        hidden: frozenset[str],
        uses_connections: bool,
        job_id: int | None,
    ) -> Executed:
        run_id = run.id
        try:
            check_pieces(
                flow=flow,
                hidden=hidden,
                registry=self.executor.registry,
                personal_allowed=self.personal_allowed,
            )
            connections = await self._connections(run.project_id) if uses_connections else {}
            store = DatabaseStore(
                sessions=self.sessions, project_id=run.project_id, flow_id=run.flow_id
            )
            files = DatabaseFiles(
                sessions=self.sessions,
                project_id=run.project_id,
                run_id=run_id,
                max_bytes=self.max_file_bytes,
                storage=self.file_storage,
            )
            mode, payload = await self._mode(run)
            if self.run_store is not None:
                if run.log_state is None:
                    self.run_store.starts_empty(run_id, run.execution, run.project_id)  # no load
                self.run_store.hold_last(run_id)  # written with the run's end, below
            with DEFAULT_RUN_RESOURCES.attached(run_id, store=store, files=files):
                result = await self.executor.execute(
                    flow,
                    run_id=run_id,
                    trigger_payload=run.trigger_payload,
                    timeout_s=self.flow_timeout_s,
                    connections=connections,
                    mode=mode,
                    resume_payload=payload,
                    subflows=self._subflows(run),
                    payload_is_trigger_output=True,
                )
        except RunTakenOverError as err:  # started again elsewhere: that execution goes on
            log.warning("%s", err.message)
            return Executed(started=True)
        except PieceNotAllowedError as err:
            result = RunResult(status=RunStatus.FAILED, error_message=err.message)
        except EncryptionKeyError as err:
            result = RunResult(
                status=RunStatus.FAILED,
                error_message=f"The project's connections cannot be read: {err}",
            )
        except Exception:  # an engine bug must end the run visibly, not leave it RUNNING
            log.exception("run %s crashed the engine", run_id)
            result = RunResult(
                status=RunStatus.INTERNAL_ERROR,
                error_message="An internal error stopped the run; see the server log",
            )
        if testing:
            async with self.sessions() as session:
                await test_runs.save_samples(session, run, result)
                await session.commit()
        ended = await self._finish(run, result, job_id=job_id)
        if ended.others_wait and self.queue is not None:
            await self.queue.wake_next_run(run.project_id)
        executed = Executed(started=True, job_ended=ended.job_ended)
        if result.status is RunStatus.PAUSED and result.pause is not None:
            await self._after_pause(run_id, result.pause.waitpoint)
            log.info("run %s paused at %s", run_id, result.pause.path)
            return executed
        log.info("run %s finished %s in %.0f ms", run_id, result.status, result.duration_ms)
        return executed

    async def _finish(
        self, run: FlowRunRow, result: RunResult, *, job_id: int | None
    ) -> runs.ExecutionEnd:
        """Stores the run's end, with the last checkpoint its store held if there is one
        (`runs.finish_execution`, which ends the taken job `job_id` too)."""
        last = None
        if self.run_store is not None:
            last = await self.run_store.take_last(run.id, project_id=run.project_id)
        if last is None:  # the engine stopped before its last checkpoint (or has no store)
            async with self.sessions() as session:
                others_wait = await runs.finish_run(
                    session, run.id, result, execution=run.execution
                )
            return runs.ExecutionEnd(kept=True, others_wait=others_wait)
        async with self.run_connection.use() as connection:
            return await runs.finish_execution(
                connection,
                run.id,
                result,
                execution=run.execution,
                project_id=run.project_id,
                flow_id=run.flow_id,
                last=last,
                job_id=job_id,
            )

    def _drop_held(self, run_id: str) -> None:
        if self.run_store is not None:
            self.run_store.drop_held(run_id)

    def _subflows(self, run: FlowRunRow) -> DatabaseSubflows | None:
        if self.queue is None:
            return None
        return DatabaseSubflows(
            sessions=self.sessions,
            queue=self.queue,
            project_id=run.project_id,
            trigger_payload=run.trigger_payload,
        )

    async def _mode(self, run: FlowRunRow) -> tuple[ExecutionMode, Any]:
        """BEGIN for a new run, RESUME for a resumed one, RECOVER for one that stopped midway."""
        state = run.log_state or {}
        status = state.get("status")
        if status is None:
            return ExecutionMode.BEGIN, None
        if status == RunStatus.PAUSED:
            async with self.sessions() as session:
                payload = await waitpoints.resume_payload(session, run)
            return ExecutionMode.RESUME, payload or {}
        return ExecutionMode.RECOVER, None

    async def _after_pause(self, run_id: str, waitpoint: Waitpoint) -> None:
        if self.queue is None:
            return
        async with self.sessions() as session:
            resumed_already = await waitpoints.queue_if_completed(session, run_id)
        if resumed_already:
            await self.queue.defer_run(run_id, sync=False)
        elif waitpoint.type is WaitpointType.DELAY and waitpoint.resume_at is not None:
            await self.queue.defer_resume(run_id, waitpoint.id, at=waitpoint.resume_at)

    async def resume_delay(self, run_id: str, waitpoint_id: str) -> None:
        """The DELAY job: completes the waitpoint (its time has come) and queues the run."""
        async with self.sessions() as session:
            try:
                outcome = await waitpoints.resume(
                    session,
                    run_id=run_id,
                    waitpoint_id=waitpoint_id,
                    payload={"body": {}, "headers": {}, "queryParams": {}},
                )
            except ServiceError as err:
                log.info("delay of run %s not resumed: %s", run_id, err.message)
                return
        if outcome.queued and self.queue is not None:
            await self.queue.defer_run(run_id, sync=False)

    async def _connections(self, project_id: str) -> dict[str, Any]:
        async with self.sessions() as session:
            return await fresh_connection_values(
                session, box=self.box, registry=self.executor.registry, project_id=project_id
            )
