"""QUEUED runs whose job was never queued (their server died in between) are queued again, once."""

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from server.context import ServerContext, run_worker
from server.db.models import AuditEventRow
from server.services.queue import RUN_TASK
from server.services.run_sweeper import end_stray_jobs, requeue_orphaned_runs
from tests.server.conftest import sign_up
from tests.server.helpers import (
    finished_run,
    publish,
    queued_run,
    registered_worker,
    sample,
    server_without_worker,
)


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

        # A worker runs each queued run exactly once; its scheduler sweeps at its first pass,
        # so a run lost now (nobody swept it by hand) runs too.
        lost_later = await queued_run(context, flow_id, age=timedelta(minutes=5))
        worker = asyncio.create_task(run_worker(context))
        try:
            for run_id in (lost, waiting, lost_later):
                run = await finished_run(api, owner, run_id, timeout_s=30)
                assert run["status"] == "SUCCEEDED", run
                assert run["response"]["body"]["sum"] == 5
            await asyncio.sleep(1.5)  # a scheduler pass or more after the runs ended
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        counted = [await starts(context, run) for run in (lost, waiting, lost_later, young)]
        assert counted == [1, 1, 1, 0]
        status = await api.get(f"/flow-runs/{young}", headers=owner.headers)
        assert status.json()["status"] == "QUEUED"  # too young to be taken for lost


async def test_a_job_left_running_after_its_run_ended_long_ago_is_ended(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow_id = await publish(api, await sign_up(api), sample())
        worker = await registered_worker(context)
        runs = {}
        for name in ("ended long ago", "ended just now", "running"):
            run_id = await queued_run(context, flow_id)
            async with context.sessions() as session:
                # Its job, taken by a live worker, as a sync call's job is written.
                await session.execute(
                    text(
                        "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status,"
                        " worker_id) VALUES ('sync_runs', :task, :args, 'doing', :worker)"
                    ),
                    {"task": RUN_TASK, "args": f'{{"run_id": "{run_id}"}}', "worker": worker},
                )
                status, age = {
                    "ended long ago": ("SUCCEEDED", "2 minutes"),
                    "ended just now": ("FAILED", "1 second"),
                    "running": ("RUNNING", "10 minutes"),
                }[name]
                await session.execute(
                    text(
                        "UPDATE flow_runs SET status = :status,"
                        " updated = now() - CAST(:age AS interval) WHERE id = :run_id"
                    ),
                    {"status": status, "age": age, "run_id": run_id},
                )
                await session.commit()
            runs[name] = run_id
        async with context.sessions() as session:
            assert await end_stray_jobs(session) == [runs["ended long ago"]]
        left = {name: await pending_jobs(context, run_id) for name, run_id in runs.items()}
        assert left == {"ended long ago": 0, "ended just now": 1, "running": 1}
