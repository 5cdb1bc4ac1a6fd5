"""A run started again elsewhere (its worker taken for dead) belongs to the new execution: the
old one writes no more checkpoints, no end, and starts no more steps with effects."""

from collections import Counter
from pathlib import Path

import psycopg
import pytest
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Status

from engine.model import Checkpoint, RunResult, RunStatus, StepRecord, StepStatus
from engine.runtime.run_store import RunTakenOverError
from server.context import ServerContext, recover_stalled_runs
from server.db.engine import libpq_url
from server.db.models import FlowRunRow
from server.services import runs
from server.services.queue import SYNC_RUNS_QUEUE
from server.services.run_logs import load_log
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server
from tests.server.conftest import sign_up
from tests.server.helpers import (
    finish_execution,
    publish,
    queued_run,
    queued_sample_run,
    run_store,
    server_without_worker,
    start_run,
)


def record(name: str) -> StepRecord:
    return StepRecord(name=name, type="PIECE", status=StepStatus.SUCCEEDED, path=name)


async def start(context: ServerContext, run_id: str) -> FlowRunRow:
    """Starts the queued run (again, after `requeue_stalled`): its row as it is now."""
    started = await start_run(context, run_id)
    assert started.run is not None
    return started.run


async def test_checkpoints_and_the_end_of_a_superseded_execution_are_refused(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        assert (await start(context, run_id)).execution == 1
        old = run_store(context)
        assert (await old.load(run_id)).execution == 1
        await old.save(
            run_id, Checkpoint(status=RunStatus.RUNNING, entries=[record("a")], execution=1)
        )

        # Its worker is taken for dead: the run is queued and started again elsewhere.
        async with context.sessions() as session:
            assert await runs.requeue_stalled(session, run_id)
        assert (await start(context, run_id)).execution == 2
        new = run_store(context)
        log = await new.load(run_id)
        assert (log.execution, [e.name for e in log.entries]) == (2, ["a"])

        with pytest.raises(RunTakenOverError):
            await old.save(
                run_id, Checkpoint(status=RunStatus.RUNNING, entries=[record("b")], execution=1)
            )
        with pytest.raises(RunTakenOverError):  # and every later one
            await old.save(run_id, Checkpoint(status=RunStatus.SUCCEEDED, execution=1))
        await new.save(
            run_id, Checkpoint(status=RunStatus.RUNNING, entries=[record("c")], execution=2)
        )
        async with context.sessions() as session:
            finished = RunResult(status=RunStatus.SUCCEEDED)
            assert not await runs.finish_run(session, run_id, finished, execution=1)
        async with context.sessions() as session:
            row = await session.get(FlowRunRow, run_id)
            assert row is not None
            assert row.status == RunStatus.RUNNING
            assert [e.name for e in (await load_log(session, run_id)).entries] == ["a", "c"]
            await runs.finish_run(session, run_id, finished, execution=2)
        async with context.sessions() as session:
            row = await session.get(FlowRunRow, run_id)
            assert row is not None
            assert row.status == RunStatus.SUCCEEDED


async def test_an_execution_s_last_checkpoint_is_written_with_the_run_s_end(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        run = await start(context, run_id)
        store = run_store(context)
        store.starts_empty(run_id, 1, run.project_id)
        await store.load(run_id)
        store.hold_last(run_id)
        await store.save(
            run_id, Checkpoint(status=RunStatus.RUNNING, entries=[record("a")], execution=1)
        )
        last = Checkpoint(status=RunStatus.SUCCEEDED, entries=[record("b")], execution=1)
        await store.save(run_id, last)  # held: not written yet
        async with context.sessions() as session:
            assert [e.name for e in (await load_log(session, run_id)).entries] == ["a"]
        held = await store.take_last(run_id, project_id=run.project_id)
        assert held is not None
        assert await store.take_last(run_id, project_id="") is None  # taken once
        await finish_execution(
            context,
            run_id,
            RunResult(status=RunStatus.SUCCEEDED),
            execution=1,
            project_id=run.project_id,
            flow_id=run.flow_id,
            last=held,
        )
        async with context.sessions() as session:
            row = await session.get(FlowRunRow, run_id)
            assert row is not None
            assert row.status == RunStatus.SUCCEEDED
            log = await load_log(session, run_id)
        assert [e.name for e in log.entries] == ["a", "b"]
        assert log.status == RunStatus.SUCCEEDED


async def test_the_end_of_a_superseded_execution_leaves_its_last_checkpoint_unwritten(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        project_id = (await start(context, run_id)).project_id
        old = run_store(context)
        await old.load(run_id)
        old.hold_last(run_id)
        await old.save(
            run_id, Checkpoint(status=RunStatus.FAILED, entries=[record("a")], execution=1)
        )
        async with context.sessions() as session:
            assert await runs.requeue_stalled(session, run_id)
        await start(context, run_id)  # execution 2, elsewhere
        held = await old.take_last(run_id, project_id=project_id)
        assert held is not None
        ended = await finish_execution(
            context,
            run_id,
            RunResult(status=RunStatus.FAILED),
            execution=1,
            project_id=project_id,
            flow_id="",
            last=held,
        )
        assert not ended.kept
        async with context.sessions() as session:
            row = await session.get(FlowRunRow, run_id)
            assert row is not None
            assert (row.status, row.execution) == (RunStatus.RUNNING, 2)
            assert (await load_log(session, run_id)).entries == []


async def test_a_superseded_execution_stops_before_its_next_step_with_effects(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    hits: Counter[str] = Counter()
    run_ids: list[str] = []

    async with server_without_worker(tmp_path, database_url) as (api, context):
        conninfo = libpq_url(context.settings.database_url or database_url)

        def taken_over(request: Received) -> Reply:
            hits[request.path] += 1
            if request.path == "/first":  # meanwhile another worker starts the run again
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(
                        "UPDATE flow_runs SET execution = execution + 1 WHERE id = %s",
                        (run_ids[0],),
                    )
            return Reply.json({})

        with local_http_server(taken_over) as server:
            owner = await sign_up(api)
            steps = (
                piece(name, "http", "send_request", method="GET", url=f"{server.url}/{name}")
                for name in ("first", "second")
            )
            flow_id = await publish(api, owner, flow(*steps).model_dump(mode="json"))
            run_ids.append(await queued_run(context, flow_id))
            assert await context.run_executor(run_ids[0])

        assert hits == Counter({"/first": 1})  # "second" never began in the old execution
        async with context.sessions() as session:
            row = await session.get(FlowRunRow, run_ids[0])
            assert row is not None
            assert (row.status, row.execution) == (RunStatus.RUNNING, 2)  # left to the new one
            assert "first" not in [e.name for e in (await load_log(session, run_ids[0])).entries]


async def test_the_old_worker_of_a_run_taken_over_cannot_end_the_new_execution_s_job(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        await context.queue.defer_run(run_id, sync=True)
        manager = context.queue.app.job_manager
        old_worker = await manager.register_worker()
        job = await manager.fetch_job(queues=None, worker_id=old_worker)
        assert job is not None
        assert job.id is not None
        assert job.task_kwargs["run_id"] == run_id
        assert (await start_run(context, run_id)).run is not None

        async def run_jobs() -> list[tuple[int, str, str]]:
            async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
                cursor = await conn.execute(
                    "SELECT id, status::text, queue_name FROM procrastinate_jobs"
                    " WHERE args->>'run_id' = %s ORDER BY id",
                    (run_id,),
                )
                return [tuple(row) for row in await cursor.fetchall()]

        # The old worker stops answering: its last heartbeat is an hour old.
        async with await psycopg.AsyncConnection.connect(libpq_url(database_url)) as conn:
            await conn.execute(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"
                " WHERE id = %s",
                (old_worker,),
            )
        await recover_stalled_runs(context)
        after_recovery = await run_jobs()
        assert len(after_recovery) == 1
        new_job_id, status, queue = after_recovery[0]
        assert (status, queue) == ("todo", SYNC_RUNS_QUEUE)  # a caller may still wait
        assert new_job_id != job.id
        async with context.sessions() as session:
            run = await session.get(FlowRunRow, run_id)
            assert run is not None
            assert run.status == RunStatus.QUEUED

        # It was alive after all: its execution is refused (fenced) and its job ends. That end
        # must not remove the job of the run's new execution.
        with pytest.raises(ConnectorException):  # "Job was not found or not in doing"
            await manager.finish_job_by_id_async(job.id, status=Status.SUCCEEDED, delete_job=True)
        assert await run_jobs() == after_recovery
        # A second recovery pass (another worker's) finds nothing more to do.
        await recover_stalled_runs(context)
        assert await run_jobs() == after_recovery
