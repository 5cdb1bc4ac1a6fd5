"""Run logs in Postgres: the engine's RunStore and OutputStore for the server's runs."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import TERMINAL, Checkpoint, RunLog, RunStatus, StepRecord
from engine.runtime.output_store import OutputMissingError
from engine.runtime.run_store import RunTakenOverError
from server.db.base import utcnow
from server.db.models import FlowRunRow, RunLogEntryRow, RunOutputRow
from server.db.own_connection import OwnConnection
from server.services.live_events import CHANNEL as LIVE_CHANNEL
from server.services.live_events import encode
from server.services.run_events import step_event_messages

#: RunLog fields not kept in flow_runs.log_state (the entries have their own table, the
#: execution number its own column).
_STATE_FIELDS = {"entries", "execution"}
#: Statuses after which an execution writes no more entries (a resume loads the log again).
_EXECUTION_ENDS = TERMINAL | {RunStatus.PAUSED}
#: Runs whose next entry number a store keeps at most (far more than a process runs at once).
_MAX_TRACKED_RUNS = 10_000


def entries_sql(updated: str) -> str:
    """The CTEs `entries` and `stepped` of a statement that updated a run's row as `updated`
    (a CTE returning its `id`): the entries `%(records)s` (a JSON array) numbered from
    `%(start)s`, and their step events `%(payloads)s` (a JSON array of texts) sent on
    `%(live_channel)s`, joined to that update, so nothing is written when it matched no row."""
    return f"""entries AS (
    INSERT INTO run_log_entries (run_id, seq, record)
    SELECT {updated}.id, %(start)s + entry.n - 1, entry.record
      FROM {updated}, json_array_elements(CAST(%(records)s AS json)) WITH ORDINALITY
           AS entry(record, n)
), stepped AS (
    SELECT pg_notify(%(live_channel)s, payload)
      FROM {updated}, json_array_elements_text(CAST(%(payloads)s AS json)) AS payload
)"""


# A checkpoint in one statement, on the run connection (psycopg's parameters; the entries and
# their step events as one JSON array each, as `runs._END` takes them): the run's log state
# (only while the execution number matches, when the checkpoint carries one), its entries and
# their step events. One row when the run was updated; none (nothing is inserted) when it was
# not.
_CHECKPOINT = f"""
WITH saved AS (
    UPDATE flow_runs SET log_state = CAST(%(state)s AS json), updated = %(now)s
     WHERE id = %(run_id)s AND (NOT %(fenced)s OR execution = %(execution)s)
    RETURNING id
), {entries_sql("saved")}
SELECT (SELECT count(*) FROM stepped) FROM saved
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class LastCheckpoint:
    """A checkpoint ready to be written: the log state and the entries, with their step events,
    as `_CHECKPOINT` and `runs._END` take them. An execution's last one is held back to be
    written with the run's end, in the same statement (`runs.finish_execution`)."""

    #: The log state as JSON text.
    state: str
    #: The entries as a JSON array, numbered from `start`.
    records: str
    start: int
    #: Their step events, `live_events` messages, as a JSON array of texts.
    payloads: str

    @classmethod
    def of(
        cls, checkpoint: Checkpoint, *, run_id: str, project_id: str, start: int
    ) -> "LastCheckpoint":
        entries = checkpoint.entries
        return cls(
            state=checkpoint.model_dump_json(exclude=_STATE_FIELDS),
            records="[" + ",".join(entry.model_dump_json() for entry in entries) + "]",
            start=start,
            payloads=json.dumps(
                [encode(message) for message in step_event_messages(project_id, run_id, entries)]
            ),
        )

    def params(self) -> dict[str, Any]:
        """The statement's parameters for the state and `entries_sql`."""
        return {
            "state": self.state,
            "records": self.records,
            "start": self.start,
            "payloads": self.payloads,
        }


class PostgresRunStore:
    """Keeps each run's log: entries in `run_log_entries`, state in `flow_runs.log_state`.

    A checkpoint is one statement on the run connection (`_CHECKPOINT`): its entries and the
    new state land together or not at all.
    The next entry number of a run is read with its log when an execution starts (every
    execution loads the log first, wherever it runs) and counted in memory until the run pauses
    or ends, rather than queried at every checkpoint.

    The log is loaded with the run's execution number (`flow_runs.execution`, counted by
    `runs.start_run`), and a checkpoint is written only while the run's number is still the
    one it carries: an execution whose run was started again elsewhere (its worker taken for
    dead) stops at its next checkpoint with RunTakenOverError instead of writing over the log.
    """

    def __init__(self, sessions: Callable[[], AsyncSession], connection: OwnConnection) -> None:
        self._sessions = sessions
        #: Where checkpoints are written (the run executor's run connection).
        self._connection = connection
        #: The next `seq` of each run executing in this process.
        self._next_seq: dict[str, int] = {}
        #: Runs whose log is known to be empty: their execution number and project.
        self._empty: dict[str, tuple[int, str]] = {}
        #: The project of each run executing in this process (its step events name it).
        self._projects: dict[str, str] = {}
        #: Runs whose last checkpoint is held for their end (`hold_last`), and the ones held.
        self._holding: set[str] = set()
        self._held: dict[str, Checkpoint] = {}

    def hold_last(self, run_id: str) -> None:
        """The run's next checkpoint that ends its execution (a terminal status, or PAUSED) is
        not written but held, for `take_last`: the caller writes it with the run's end, in one
        statement. A crash in between loses both, as a crash before that checkpoint did."""
        self._holding.add(run_id)

    async def take_last(self, run_id: str, *, project_id: str) -> LastCheckpoint | None:
        """The held last checkpoint of the run (None: none was held), numbered and ready to be
        written (it reads nothing, unless the run was never loaded here). The run stops being
        tracked, whether the caller's statement is then committed or not."""
        self._holding.discard(run_id)
        checkpoint = self._held.pop(run_id, None)
        if checkpoint is None:
            return None
        try:
            start = self._next_seq.get(run_id)
            if start is None:  # the run was not loaded here (not the engine's way)
                async with self._sessions() as session:
                    start = await _first_free_seq(session, run_id)
            return LastCheckpoint.of(checkpoint, run_id=run_id, project_id=project_id, start=start)
        finally:
            self._next_seq.pop(run_id, None)
            self._projects.pop(run_id, None)

    def drop_held(self, run_id: str) -> None:
        """Forgets what `hold_last` held for the run (its execution ended without its end)."""
        self._holding.discard(run_id)
        if self._held.pop(run_id, None) is not None:
            self._next_seq.pop(run_id, None)
            self._projects.pop(run_id, None)

    def starts_empty(self, run_id: str, execution: int, project_id: str) -> None:
        """The run's next `load` answers an empty log of this execution without a query: the
        caller has just started the run and read no log state in its row. Nothing can write
        the log in between: an older execution's checkpoints are refused by the number."""
        if len(self._empty) >= _MAX_TRACKED_RUNS:
            self._empty.clear()  # started and never loaded (a crash): ask the database again
        self._empty[run_id] = (execution, project_id)

    async def load(self, run_id: str) -> RunLog:
        empty = self._empty.pop(run_id, None)
        project_id: str | None
        if empty is not None:
            log, next_seq, project_id = RunLog(execution=empty[0]), 0, empty[1]
        else:
            async with self._sessions() as session:
                log, next_seq, project_id = await _load(session, run_id)
        if len(self._next_seq) >= _MAX_TRACKED_RUNS:
            # Executions the engine left without a last checkpoint (a crash of the engine) are
            # never popped; forgetting every count is safe, the next saves ask the database.
            self._next_seq.clear()
            self._projects.clear()
        self._next_seq[run_id] = next_seq
        if project_id is not None:
            self._projects[run_id] = project_id
        return log

    async def save(self, run_id: str, checkpoint: Checkpoint) -> None:
        if run_id in self._holding and checkpoint.status in _EXECUTION_ENDS:
            self._held[run_id] = checkpoint  # written with the run's end (`take_last`)
            return
        try:
            saved = await self._save(run_id, checkpoint)
        except BaseException:
            self._next_seq.pop(run_id, None)  # what was reserved may not be written: ask again
            raise
        if not saved:  # no row updated
            self._next_seq.pop(run_id, None)
            if checkpoint.execution:
                raise RunTakenOverError(run_id)
            return  # the run is gone (deleted)
        self._after_save(run_id, checkpoint)

    async def _save(self, run_id: str, checkpoint: Checkpoint) -> bool:
        """State, entries and their step events in one statement (`_CHECKPOINT`) on the run
        connection. False when no row was updated (taken over, or gone)."""
        project_id = self._projects.get(run_id)
        start = self._next_seq.get(run_id)
        if project_id is None or start is None:  # saved without a load here (not the engine's)
            async with self._sessions() as session:
                project_id = await session.scalar(
                    select(FlowRunRow.project_id).where(FlowRunRow.id == run_id)
                )
                if project_id is None:
                    return False
                start = await _first_free_seq(session, run_id)
        self._next_seq[run_id] = start + len(checkpoint.entries)
        written = LastCheckpoint.of(checkpoint, run_id=run_id, project_id=project_id, start=start)
        params = {
            **written.params(),
            "run_id": run_id,
            "now": utcnow(),
            "fenced": bool(checkpoint.execution),
            "execution": checkpoint.execution,
            "live_channel": LIVE_CHANNEL,
        }
        async with self._connection.use() as connection:
            saved = await (await connection.execute(_CHECKPOINT, params, prepare=True)).fetchone()
        return saved is not None

    def _after_save(self, run_id: str, checkpoint: Checkpoint) -> None:
        if checkpoint.status in _EXECUTION_ENDS:
            self._next_seq.pop(run_id, None)
            self._projects.pop(run_id, None)


async def _first_free_seq(session: AsyncSession, run_id: str) -> int:
    """The entry number after the run's last stored entry."""
    last = await session.scalar(
        select(func.max(RunLogEntryRow.seq)).where(RunLogEntryRow.run_id == run_id)
    )
    return 0 if last is None else last + 1


async def load_log(session: AsyncSession, run_id: str) -> RunLog:
    """A run's whole log (empty for a run that never executed)."""
    log, _next_seq, _project_id = await _load(session, run_id)
    return log


async def _load(session: AsyncSession, run_id: str) -> tuple[RunLog, int, str | None]:
    """The run's log (with the run's execution number), the `seq` its next entry gets, and its
    project (None for no such run)."""
    row = (
        await session.execute(
            select(FlowRunRow.log_state, FlowRunRow.execution, FlowRunRow.project_id).where(
                FlowRunRow.id == run_id
            )
        )
    ).one_or_none()
    execution = 0 if row is None else row.execution
    state = None if row is None else row.log_state
    project_id = None if row is None else str(row.project_id)
    if state is None:
        return RunLog(execution=execution), 0, project_id
    rows = (
        await session.execute(
            select(RunLogEntryRow.seq, RunLogEntryRow.record)
            .where(RunLogEntryRow.run_id == run_id)
            .order_by(RunLogEntryRow.seq)
        )
    ).all()
    entries = [StepRecord.model_validate(row.record) for row in rows]
    next_seq = rows[-1].seq + 1 if rows else 0
    log = RunLog.model_validate({**state, "entries": entries, "execution": execution})
    return log, next_seq, project_id


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
