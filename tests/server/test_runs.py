"""Starting and finishing runs: what the worker learns from them without further queries."""

from pathlib import Path

from sqlalchemy import text

from engine.model import RunResult, RunStatus
from server.context import ServerContext
from server.services import runs
from tests.server.conftest import sign_up
from tests.server.helpers import (
    new_run,
    publish,
    published_flow,
    queued_run,
    registered_worker,
    sample,
    server_without_worker,
)


async def start_and_finish(context: ServerContext, run_id: str) -> bool:
    async with context.sessions() as session:
        started = await runs.start_run(session, run_id, concurrency_limit=10)
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
        async with context.sessions() as session:
            started = await runs.start_run(
                session, await queued_run(context, flow_id), concurrency_limit=10
            )
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
