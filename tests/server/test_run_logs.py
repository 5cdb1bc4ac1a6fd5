"""Run logs in Postgres: entry numbers stay right when executions of one run move between processes."""

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Checkpoint, RunStatus, StepRecord, StepStatus
from server.db.models import RunLogEntryRow
from server.services.run_logs import PostgresRunStore
from tests.server.helpers import queued_sample_run, run_store


def records(*names: str) -> list[StepRecord]:
    return [
        StepRecord(name=name, type="CODE", status=StepStatus.SUCCEEDED, path=name) for name in names
    ]


async def test_entry_numbers_continue_when_another_process_resumes_the_run(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        # Two stores, as two worker processes: each keeps its own count in memory.
        first, second = run_store(context), run_store(context)

        assert (await first.load(run_id)).entries == []
        await first.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("a")))
        await first.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("b", "c")))
        # The first process dies; the second recovers the run and pauses it.
        assert [e.name for e in (await second.load(run_id)).entries] == ["a", "b", "c"]
        await second.save(run_id, Checkpoint(status=RunStatus.PAUSED, entries=records("d")))
        # Resumed in the first process again: it reads the numbering with the log.
        assert [e.name for e in (await first.load(run_id)).entries] == ["a", "b", "c", "d"]
        await first.save(run_id, Checkpoint(status=RunStatus.SUCCEEDED, entries=records("e")))
        # A store that never loaded the run (not the engine's way) asks the database.
        await second.save(run_id, Checkpoint(status=RunStatus.SUCCEEDED, entries=records("f")))

        async with context.sessions() as session:
            rows = (
                await session.execute(
                    select(RunLogEntryRow.seq, RunLogEntryRow.record)
                    .where(RunLogEntryRow.run_id == run_id)
                    .order_by(RunLogEntryRow.seq)
                )
            ).all()
        assert [(row.seq, row.record["name"]) for row in rows] == list(enumerate("abcdef"))


async def test_a_checkpoint_that_failed_does_not_leave_a_gap_or_a_clash(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        store, other = run_store(context), run_store(context)
        await store.load(run_id)
        await store.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("a")))
        await other.load(run_id)
        await other.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("b")))
        # `store` still counts 1: its write clashes with b's number and is refused, not mixed in.
        with pytest.raises(psycopg.errors.UniqueViolation, match="duplicate key"):
            await store.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("x")))
        await store.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("c")))
        assert [e.name for e in (await other.load(run_id)).entries] == ["a", "b", "c"]


async def test_a_run_started_with_an_empty_log_is_loaded_without_a_query(
    tmp_path: Path, database_url: str
) -> None:
    async with queued_sample_run(tmp_path, database_url) as (context, run_id):
        opened: list[str] = []

        def sessions() -> AsyncSession:
            opened.append(run_id)
            return context.sessions()

        store = PostgresRunStore(sessions, context.run_executor.run_connection)
        store.starts_empty(run_id, 7, "project")
        log = await store.load(run_id)
        assert (log.entries, log.execution, opened) == ([], 7, [])
        # The entry numbers start at 0 without asking (the checkpoint itself goes on the run
        # connection), and the next load asks the database.
        await store.save(run_id, Checkpoint(status=RunStatus.RUNNING, entries=records("a")))
        assert opened == []
        assert [e.name for e in (await store.load(run_id)).entries] == ["a"]
        assert len(opened) == 1
