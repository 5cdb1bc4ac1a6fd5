"""Webhook events accepted together: one statement for the events of the same moment, each
event's runs all or none, and a refused event failing alone."""

import asyncio
from pathlib import Path

import pytest
from psycopg.errors import UniqueViolation
from sqlalchemy import text

from server.context import ServerContext
from tests.server.helpers import new_run, published_flow, server_without_worker


async def stored(context: ServerContext, flow_id: str) -> list[tuple[str, object, object]]:
    """The flow's runs: id, payload, and when each was written."""
    async with context.sessions() as session:
        rows = await session.execute(
            text("SELECT id, trigger_payload, created FROM flow_runs WHERE flow_id = :flow"),
            {"flow": flow_id},
        )
        return [(row.id, row.trigger_payload, row.created) for row in rows]


async def job_run_ids(context: ServerContext) -> set[str]:
    async with context.sessions() as session:
        rows = await session.execute(
            text("SELECT args->>'run_id' AS run_id FROM procrastinate_jobs WHERE status = 'todo'")
        )
        return {row.run_id for row in rows}


async def test_events_that_arrive_together_are_written_together(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        events = [
            [new_run(flow, {"n": n}), new_run(flow, {"n": n, "second": True})] for n in range(50)
        ]
        answers = await asyncio.gather(*(context.intake.accept(runs) for runs in events))
        for runs, answer in zip(events, answers, strict=True):
            assert answer is not None
            assert [queued.run_id for queued in answer] == [run.id for run in runs]
            assert not any(queued.taken for queued in answer)
        rows = await stored(context, flow.id)
        assert len(rows) == 100
        # One statement wrote them all: they share its time.
        assert len({created for _, _, created in rows}) == 1
        assert {payload["n"] for _, payload, _ in rows} == set(range(50))  # type: ignore[index]
        assert await job_run_ids(context) == {run_id for run_id, _, _ in rows}


async def test_an_event_the_database_refuses_fails_alone(tmp_path: Path, database_url: str) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        first = await context.intake.accept([new_run(flow, {"n": 0})])
        assert first is not None
        taken_id = first[0].run_id
        good = [[new_run(flow, {"n": n})] for n in (1, 2, 3)]
        # The second run of this event has the id of a run stored already.
        bad = [new_run(flow, {"n": 4}), new_run(flow, {"n": 5}, run_id=taken_id)]
        answers = await asyncio.gather(
            *(context.intake.accept(runs) for runs in [good[0], bad, *good[1:]]),
            return_exceptions=True,
        )
        assert isinstance(answers[1], UniqueViolation)
        assert all(isinstance(answer, list) for answer in answers[:1] + answers[2:])
        payloads = sorted(payload["n"] for _, payload, _ in await stored(context, flow.id))  # type: ignore[index]
        assert payloads == [0, 1, 2, 3]  # none of the refused event's runs, not even its first
        assert len(await job_run_ids(context)) == 4


@pytest.mark.parametrize("change", ["DISABLED", "REPUBLISHED"])
async def test_an_event_of_a_flow_changed_meanwhile_writes_nothing(
    tmp_path: Path, database_url: str, change: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        async with context.sessions() as session:
            if change == "DISABLED":
                statement = "UPDATE flows SET status = 'DISABLED' WHERE id = :flow"
            else:
                statement = "UPDATE flows SET published_version_id = NULL WHERE id = :flow"
            await session.execute(text(statement), {"flow": flow.id})
            await session.commit()
        assert await context.intake.accept([new_run(flow, {"n": 1})]) is None
        assert await stored(context, flow.id) == []
        assert await job_run_ids(context) == set()


async def test_an_event_whose_payload_is_not_json_fails_its_own_call_only(
    tmp_path: Path, database_url: str
) -> None:
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow = await published_flow(api, context)
        events = [
            [new_run(flow, {"n": 1})],
            [new_run(flow, {"at": object()})],
            [new_run(flow, {"n": 2})],
        ]
        answers = await asyncio.gather(
            *(context.intake.accept(runs) for runs in events), return_exceptions=True
        )
        assert isinstance(answers[1], TypeError)
        payloads = sorted(payload["n"] for _, payload, _ in await stored(context, flow.id))  # type: ignore[index]
        assert payloads == [1, 2]
