"""Run progress for live subscribers: the one function workers call to announce a run's events.

Usage from a worker (any process or machine that reaches the database)::

    async with sessions() as session:
        await publish_run_event(session, project_id, run_id, {"type": "STEP_STARTED", "step": "step_1"})
        await session.commit()  # the event is sent here

or inside the transaction that records the change itself (as `runs.start_run` and
`runs.finish_run` do), so the event and the stored state appear together.

Events are dicts with a `type`; the server sends them as they are to WebSocket clients that
subscribed to the run or to the project's runs, as
`{"type": "RUN_EVENT", "projectId", "runId", "event": {...}}`. Used types:

- `RUN_STARTED` `{status: "RUNNING"}` and `RUN_FINISHED` `{status, duration, error}` (the worker);
- `STEP_STARTED` `{step}` and `STEP_FINISHED` `{step, status, duration}` (engine checkpoints).

Keep events small (names, statuses, numbers): a notification carries at most ~7.5 KB; a larger
event reaches clients cut down to its short scalar fields with `truncated: true`.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.services.live_events import notify


async def publish_run_event(
    session: AsyncSession, project_id: str, run_id: str, event: dict[str, Any]
) -> None:
    """Announces `event` of the run to its subscribers when `session` commits.

    Args:
        session: a session whose transaction the caller commits (or the one recording the change).
        project_id: the run's project (subscriptions are checked against it).
        run_id: the run.
        event: a small JSON-able dict with a `type`, e.g. `{"type": "STEP_FINISHED",
            "step": "step_1", "status": "SUCCEEDED"}`.
    """
    await notify(session, {"kind": "run", "projectId": project_id, "runId": run_id, "event": event})
