"""Starting and finishing runs: what the worker learns from them without further queries."""

import asyncio
import json
from pathlib import Path

import psycopg
from sqlalchemy import text

from engine.model import RunResult, RunStatus
from server.context import ServerContext
from server.db.engine import libpq_url
from server.db.models import FlowRunRow
from server.db.own_connection import OwnConnection
from server.services import runs
from server.services.audit import AuditAction
from server.services.live_events import CHANNEL as LIVE_CHANNEL
from server.services.live_events import encode
from server.services.queue import Executed
from server.services.run_events import run_event_message
from server.services.run_logs import LastCheckpoint
from tests.server.conftest import sign_up
from tests.server.helpers import (
    finish_execution,
    new_run,
    publish,
    published_flow,
    queued_run,
    queued_sample_run,
    registered_worker,
    sample,
    server_without_worker,
    start_run,
)


async def start_and_finish(context: ServerContext, run_id: str) -> bool:
    started = await start_run(context, run_id, concurrency_limit=10)
    assert started.run is not None
    async with context.sessions() as session:
        return await runs.finish_run(session, run_id, RunResult(status=RunStatus.SUCCEEDED))


async def test_finishing_a_run_tells_whether_another_waits_out_a_busy_backoff(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url, allow_sign_up=True) as (api, context):
        owner = await sign_up(api)
        flow_id = await publish(api, owner, sample())
        await context.queue.defer_run(await queued_run(context, flow_id), sync=False)
        assert not await start_and_finish(context, await queued_run(context, flow_id))

        waiting = await queued_run(context, flow_id)
        await context.queue.defer_run(waiting, sync=False, attempt=1, delay_s=30)
        assert await start_and_finish(context, await queued_run(context, flow_id))

        # Another project's waiting run is none of this one's business.
        other = await sign_up(api, "other@example.com")
        other_flow = await publish(api, other, sample())
        assert not await start_and_finish(context, await queued_run(context, other_flow))


async def test_starting_a_run_reads_its_projects_hidden_pieces(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        owner = await sign_up(api)
        flow_id = await publish(api, owner, sample())
        for name in ("slack", "rss"):
            answer = await api.post(
                f"/projects/{owner.project_id}/hidden-pieces",
                json={"pieceName": name, "hidden": True},
                headers=owner.headers,
            )
            assert answer.status_code == 200, answer.text
        started = await start_run(context, await queued_run(context, flow_id), concurrency_limit=10)
        assert started.hidden_pieces == {"slack", "rss"}


async def test_a_run_is_queued_taken_by_its_worker_or_for_any_worker_if_that_one_is_gone(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        worker = await registered_worker(context)
        queued = await context.intake.accept(
            [
                new_run(flow, {}, sync=True, take_with=taker)
                for taker in (worker, worker + 1000)  # the second stopped meanwhile
            ]
        )
        assert queued is not None
        async with context.sessions() as session:
            rows = await session.execute(text("SELECT id, status::text FROM procrastinate_jobs"))
            jobs: dict[int, str] = {row.id: row.status for row in rows}
    assert [(run.taken, jobs[run.job_id]) for run in queued] == [(True, "doing"), (False, "todo")]


async def test_a_start_is_audited_and_announced_with_the_messages_python_makes(
    tmp_path: Path, database_url: str
) -> None:
    """`_START` builds its audit data and live event in SQL: they are the ones `audit` and
    `run_event_message` make, and the run's row is the one the caller gets."""
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        async with await psycopg.AsyncConnection.connect(
            libpq_url(database_url), autocommit=True
        ) as listener:
            await listener.execute(f"LISTEN {LIVE_CHANNEL}")
            started = await start_run(context, run_id)
            notices = [notice async for notice in listener.notifies(timeout=2)]
        run = started.run
        assert run is not None
        expected = run_event_message(
            run.project_id,
            run_id,
            {"type": "RUN_STARTED", "status": RunStatus.RUNNING, "flowId": run.flow_id},
        )
        assert [json.loads(notice.payload) for notice in notices] == [json.loads(encode(expected))]
        async with context.sessions() as session:
            audited = (
                await session.execute(
                    text("SELECT project_id, data FROM audit_events WHERE action = :action"),
                    {"action": AuditAction.FLOW_RUN_STARTED.value},
                )
            ).one()
            stored = await session.get(FlowRunRow, run_id)
        assert audited.project_id == run.project_id
        assert audited.data == {
            "flowRunId": run_id,
            "flowId": run.flow_id,
            "flowVersionId": run.flow_version_id,
        }
        assert stored is not None
        assert (stored.status, stored.execution, stored.started) == (
            RunStatus.RUNNING,
            run.execution,
            run.started,
        )
        assert run.execution == 1
        assert (await start_run(context, run_id)).run is None  # started once


async def test_starts_at_the_same_moment_never_run_more_than_the_project_s_limit(
    tmp_path: Path, database_url: str
) -> None:
    """Each start locks its project's row and counts in the same transaction (one pipeline):
    12 starts at once, each on its own connection, with a limit of 3 start 3 runs."""
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow_id = await publish(api, await sign_up(api), sample())
        run_ids = [await queued_run(context, flow_id) for _ in range(12)]
        connections = [OwnConnection(libpq_url(database_url)) for _ in run_ids]

        async def start(run_id: str, database: OwnConnection) -> runs.StartOutcome:
            async with database.use() as connection:
                return await runs.start_run(
                    connection, run_id, concurrency_limit=3, sessions=context.sessions
                )

        try:
            for database in connections:  # connected before the race
                async with database.use():
                    pass
            for _ in range(3):  # a race a broken lock loses only sometimes: three of them
                outcomes = await asyncio.gather(*map(start, run_ids, connections))
                assert sum(outcome.run is not None for outcome in outcomes) == 3
                assert sum(outcome.busy for outcome in outcomes) == 9
                async with context.sessions() as session:
                    running = await session.scalar(
                        text("SELECT count(*) FROM flow_runs WHERE status = 'RUNNING'")
                    )
                    assert running == 3
                    await session.execute(text("UPDATE flow_runs SET status = 'QUEUED'"))
                    await session.commit()
        finally:
            for database in connections:
                await database.close()


async def test_a_taken_job_ends_in_its_run_s_end_and_only_there(
    tmp_path: Path, database_url: str
) -> None:
    """A job the worker took as its run was queued is deleted by the run's end statement: no
    statement of its own. An end that is not kept (the run is another execution's) leaves it."""
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        worker = await registered_worker(context)
        queued = await context.intake.accept(
            [
                new_run(flow, {"body": {"a": 2, "b": 3}}, sync=True, take_with=worker)
                for _ in range(2)
            ]
        )
        assert queued is not None
        executed, superseded = queued
        assert await context.run_executor.execute(
            executed.run_id, job_id=executed.job_id
        ) == Executed(started=True, job_ended=True)

        started = await start_run(context, superseded.run_id)
        assert started.run is not None
        ended = await finish_execution(
            context,
            superseded.run_id,
            RunResult(status=RunStatus.SUCCEEDED),
            execution=started.run.execution + 1,  # another execution's number
            project_id=started.run.project_id,
            flow_id=started.run.flow_id,
            last=LastCheckpoint(state="{}", records="[]", start=0, payloads="[]"),
            job_id=superseded.job_id,
        )
        assert ended == runs.ExecutionEnd(kept=False)
        async with context.sessions() as session:
            jobs = (await session.execute(text("SELECT id FROM procrastinate_jobs"))).scalars()
            rows = await session.execute(text("SELECT id, status FROM flow_runs"))
            statuses: dict[str, str] = {row.id: row.status for row in rows}
        assert list(jobs) == [superseded.job_id]
        assert statuses == {executed.run_id: "SUCCEEDED", superseded.run_id: "RUNNING"}
