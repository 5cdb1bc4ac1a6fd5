"""Run progress for live subscribers: the one function workers call to announce a run's events.

Usage from a worker (any process or machine that reaches the database)::

    await publish_run_event(project_id, run_id, {"type": "STEP_STARTED", "step": "step_1"},
                            sessions=self.sessions)   # its own short transaction

or, inside the transaction that records the change itself, `session=session`: the event is
sent when that transaction commits, so it and the stored state appear together. The hot path
(`runs.start_run`, `runs.finish_run`, `run_logs.PostgresRunStore`) sends its events inside its
own write statement, with the messages of `run_event_message` and `step_event_messages`.

Events are dicts with a `type`; the server sends them as they are to WebSocket clients that
subscribed to the run or to the project's runs, as
`{"type": "RUN_EVENT", "projectId", "runId", "event": {...}}`. Used types:

- `RUN_STARTED` `{status: "RUNNING"}` and `RUN_FINISHED` `{status, duration, error}` (the worker);
- `STEP_FINISHED` `{step, path, status, duration}` for each step record an engine checkpoint saves
  (`run_logs.PostgresRunStore`: fast steps arrive together, a slow step on its own as it ends;
  `status` is PAUSED for a step that waits).

Keep events small (names, statuses, numbers): a notification carries at most ~7.5 KB; a larger
event reaches clients cut down to its short scalar fields with `truncated: true`.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import StepRecord
from server.services.live_events import notify


def run_event_message(project_id: str, run_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """The live message of a run's event (for a statement that sends it itself)."""
    return {"kind": "run", "projectId": project_id, "runId": run_id, "event": event}


async def publish_run_event(
    project_id: str,
    run_id: str,
    event: dict[str, Any],
    *,
    session: AsyncSession | None = None,
    sessions: Callable[[], AsyncSession] | None = None,
) -> None:
    """Announces `event` of the run to its subscribers.

    Args:
        project_id: the run's project (subscriptions are checked against it).
        run_id: the run.
        event: a small JSON-able dict with a `type`, e.g. `{"type": "STEP_FINISHED",
            "step": "step_1", "status": "SUCCEEDED"}`.
        session: a transaction the caller commits; the event is sent on its commit.
        sessions: else, a session factory: the event is sent at once in a transaction of its own.

    Raises:
        TypeError: neither `session` nor `sessions` was given.
    """
    message = run_event_message(project_id, run_id, event)
    if session is not None:
        await notify(session, message)
        return
    if sessions is None:
        raise TypeError("publish_run_event needs session= or sessions=")
    async with sessions() as own:
        await notify(own, message)
        await own.commit()


def step_event_messages(
    project_id: str, run_id: str, records: list[StepRecord]
) -> list[dict[str, Any]]:
    """The live messages of STEP_FINISHED for each record (for a statement that sends them)."""
    return [
        run_event_message(
            project_id,
            run_id,
            {
                "type": "STEP_FINISHED",
                "step": record.name,
                "path": record.path,
                "status": record.status,
                "duration": record.duration_ms,
            },
        )
        for record in records
    ]
