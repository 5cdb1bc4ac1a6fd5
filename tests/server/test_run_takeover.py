"""A run started again elsewhere (its worker taken for dead) belongs to the new execution: the
old one writes no more checkpoints, no end, and starts no more steps with effects."""

from collections import Counter
from pathlib import Path

import psycopg
import pytest

from engine.model import Checkpoint, RunResult, RunStatus, StepRecord, StepStatus
from engine.runtime.run_store import RunTakenOverError
from server.db.engine import libpq_url
from server.db.models import FlowRunRow
from server.services import runs
from server.services.run_logs import PostgresRunStore, load_log
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server
from tests.server.conftest import sign_up
from tests.server.helpers import publish, queued_run, sample, server_without_worker


def record(name: str) -> StepRecord:
    return StepRecord(name=name, type="PIECE", status=StepStatus.SUCCEEDED, path=name)


async def test_checkpoints_and_the_end_of_a_superseded_execution_are_refused(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        owner = await sign_up(api)
        run_id = await queued_run(context, await publish(api, owner, sample()))

        async def start() -> int:
            async with context.sessions() as session:
                started = await runs.start_run(session, run_id, concurrency_limit=5)
            assert started.run is not None
            return started.run.execution

        assert await start() == 1
        old = PostgresRunStore(context.sessions)
        assert (await old.load(run_id)).execution == 1
        await old.save(
            run_id, Checkpoint(status=RunStatus.RUNNING, entries=[record("a")], execution=1)
        )

        # Its worker is taken for dead: the run is queued and started again elsewhere.
        async with context.sessions() as session:
            assert await runs.requeue_stalled(session, run_id)
        assert await start() == 2
        new = PostgresRunStore(context.sessions)
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
