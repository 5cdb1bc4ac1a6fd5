"""QUEUED runs whose job was never queued (their server died in between) are queued again, once."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, text, update

from server.app import create_app
from server.context import ServerContext, run_worker
from server.db.base import utcnow
from server.db.models import AuditEventRow, FlowRow, FlowRunRow
from server.services import runs
from server.services.queue import RUN_TASK
from server.services.run_sweeper import requeue_orphaned_runs
from tests.server.conftest import make_settings, sign_up
from tests.server.helpers import finished_run, publish, sample


@contextlib.asynccontextmanager
async def server_without_worker(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, ServerContext]]:
    app = create_app(make_settings(tmp_path, database_url, run_worker=False))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver/api/v1"
        ) as api:
            yield api, app.state.context


async def queued_run(context: ServerContext, flow_id: str, *, age: timedelta) -> str:
    """A QUEUED run saved `age` ago, as a server that died before queueing its job leaves it."""
    async with context.sessions() as session:
        flow = await session.get(FlowRow, flow_id)
        assert flow is not None
        assert flow.published_version_id is not None
        run = await runs.create_run(
            session,
            flow=flow,
            version_id=flow.published_version_id,
            payload={"body": {"a": 2, "b": 3}},
        )
        await session.execute(
            update(FlowRunRow).where(FlowRunRow.id == run.id).values(updated=utcnow() - age)
        )
        await session.commit()
        return run.id


async def pending_jobs(context: ServerContext, run_id: str) -> int:
    async with context.sessions() as session:
        count = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task "
                "AND status IN ('todo', 'doing') AND args->>'run_id' = :run_id"
            ),
            {"task": RUN_TASK, "run_id": run_id},
        )
    return int(count or 0)


async def starts(context: ServerContext, run_id: str) -> int:
    async with context.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AuditEventRow)
            .where(
                AuditEventRow.action == "flow.run.started",
                AuditEventRow.data["flowRunId"].as_string() == run_id,
            )
        )
    return int(count or 0)


async def test_a_queued_run_without_a_job_is_queued_again_and_runs_once(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        owner = await sign_up(api)
        flow_id = await publish(api, owner, sample())
        lost = await queued_run(context, flow_id, age=timedelta(minutes=2))
        waiting = await queued_run(context, flow_id, age=timedelta(minutes=2))
        await context.queue.defer_run(waiting, sync=False)
        young = await queued_run(context, flow_id, age=timedelta(seconds=0))

        async with context.sessions() as one, context.sessions() as two:
            swept = await asyncio.gather(
                requeue_orphaned_runs(one, queue=context.queue),
                requeue_orphaned_runs(two, queue=context.queue),
            )
        assert sorted(swept, key=len) == [[], [lost]]  # one pass took it, the other stood aside
        async with context.sessions() as session:
            assert await requeue_orphaned_runs(session, queue=context.queue) == []
        assert [await pending_jobs(context, run) for run in (lost, waiting, young)] == [1, 1, 0]

        # A worker (with its scheduler, which sweeps too) runs each queued run exactly once.
        worker = asyncio.create_task(run_worker(context))
        try:
            for run_id in (lost, waiting):
                run = await finished_run(api, owner, run_id, timeout_s=30)
                assert run["status"] == "SUCCEEDED", run
                assert run["response"]["body"]["sum"] == 5
            await asyncio.sleep(1.5)  # a scheduler pass or more after the runs ended
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        assert [await starts(context, run) for run in (lost, waiting, young)] == [1, 1, 0]
        status = await api.get(f"/flow-runs/{young}", headers=owner.headers)
        assert status.json()["status"] == "QUEUED"  # too young to be taken for lost
