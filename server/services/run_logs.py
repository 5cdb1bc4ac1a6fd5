"""Run logs in Postgres: the engine's RunStore and OutputStore for the server's runs."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import Checkpoint, RunLog, StepRecord
from engine.runtime.output_store import OutputMissingError
from server.db.models import FlowRunRow, RunLogEntryRow, RunOutputRow
from server.services.run_events import publish_step_events

#: RunLog fields kept in flow_runs.log_state (the entries have their own table).
_STATE_FIELDS = {"entries"}


class PostgresRunStore:
    """Keeps each run's log: entries in `run_log_entries`, state in `flow_runs.log_state`.

    A checkpoint is one transaction: its entries and the new state land together or not at all.
    """

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, run_id: str) -> RunLog:
        async with self._sessions() as session:
            return await load_log(session, run_id)

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        async with self._sessions() as session:
            if checkpoint.entries:
                last = await session.scalar(
                    select(func.max(RunLogEntryRow.seq)).where(RunLogEntryRow.run_id == run_id)
                )
                start = -1 if last is None else last
                await session.execute(
                    insert(RunLogEntryRow),
                    [
                        {
                            "run_id": run_id,
                            "seq": start + 1 + index,
                            "record": entry.model_dump(mode="json"),
                        }
                        for index, entry in enumerate(checkpoint.entries)
                    ],
                )
            state = checkpoint.model_dump(mode="json", exclude=_STATE_FIELDS)
            project_id = await session.scalar(
                update(FlowRunRow)
                .where(FlowRunRow.id == run_id)
                .values(log_state=state)
                .returning(FlowRunRow.project_id)
            )
            if project_id is not None and checkpoint.entries:
                await publish_step_events(session, project_id, run_id, checkpoint.entries)
            await session.commit()


async def load_log(session: AsyncSession, run_id: str) -> RunLog:
    """A run's whole log (empty for a run that never executed)."""
    state = await session.scalar(select(FlowRunRow.log_state).where(FlowRunRow.id == run_id))
    if state is None:
        return RunLog()
    rows = await session.scalars(
        select(RunLogEntryRow.record)
        .where(RunLogEntryRow.run_id == run_id)
        .order_by(RunLogEntryRow.seq)
    )
    entries = [StepRecord.model_validate(row) for row in rows]
    return RunLog.model_validate({**state, "entries": entries})


async def write_log(session: AsyncSession, run_id: str, log: RunLog) -> None:
    """Writes a whole log for a run that has none yet (a retry starts from a copy); the caller
    commits."""
    if log.entries:
        await session.execute(
            insert(RunLogEntryRow),
            [
                {"run_id": run_id, "seq": seq, "record": entry.model_dump(mode="json")}
                for seq, entry in enumerate(log.entries)
            ],
        )
    state: dict[str, Any] = log.model_dump(mode="json", exclude=_STATE_FIELDS)
    await session.execute(update(FlowRunRow).where(FlowRunRow.id == run_id).values(log_state=state))


class PostgresOutputStore:
    """Offloaded step outputs in `run_outputs`, deleted with their run."""

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions

    async def put(self, run_id: str, path: str, data: bytes) -> str:
        ref = f"{run_id}/{path}"[:300]
        async with self._sessions() as session:
            existing = await session.get(RunOutputRow, ref)
            if existing is None:
                session.add(RunOutputRow(ref=ref, run_id=run_id, data=data))
            else:
                existing.data = data
            await session.commit()
        return ref

    async def get(self, ref: str) -> bytes:
        async with self._sessions() as session:
            data = await session.scalar(select(RunOutputRow.data).where(RunOutputRow.ref == ref))
        if data is None:
            raise OutputMissingError(f"The stored output {ref!r} is gone")
        return bytes(data)
