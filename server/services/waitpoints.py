"""Waitpoints: runs pause at them; a resume call (or a DELAY's time) queues the run again.

A waitpoint is unique per (run, step path): a step that runs again after a crash gets the same
one back. A resume that arrives before the run has paused is stored (pre-completed) and the run
is queued as soon as it pauses; a second resume of a completed waitpoint is absorbed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from engine.model import (
    TERMINAL,
    RunStatus,
    Waitpoint,
    WaitpointType,
    WebhookResponse,
    check_transition,
)
from server.db.base import new_id, utcnow
from server.db.models import FlowRunRow, WaitpointRow
from server.services.errors import ConflictError, NotFoundError

PENDING = "PENDING"
COMPLETED = "COMPLETED"


def resume_url(public_url: str, run_id: str, waitpoint_id: str) -> str:
    """Where a waitpoint is resumed (add `/sync` to wait for the flow's response)."""
    return f"{public_url.rstrip('/')}/api/v1/flow-runs/{run_id}/waitpoints/{waitpoint_id}"


def to_waitpoint(row: WaitpointRow, public_url: str) -> Waitpoint:
    return Waitpoint(
        id=row.id,
        type=WaitpointType(row.type),
        step_path=row.step_path,
        resume_url=resume_url(public_url, row.run_id, row.id),
        resume_at=row.resume_at,
        response_to_send=(
            WebhookResponse.model_validate(row.response_to_send) if row.response_to_send else None
        ),
    )


class DatabaseWaitpoints:
    """The engine's WaitpointClient for server runs."""

    def __init__(self, sessions: Callable[[], AsyncSession], *, public_url: str) -> None:
        self._sessions = sessions
        self._public_url = public_url

    async def create(
        self,
        *,
        run_id: str,
        step_path: str,
        type: WaitpointType,
        resume_at: datetime | None,
        response_to_send: WebhookResponse | None,
    ) -> Waitpoint:
        async with self._sessions() as session:
            await session.execute(
                insert(WaitpointRow)
                .values(
                    id=new_id(),
                    run_id=run_id,
                    step_path=step_path,
                    type=type.value,
                    status=PENDING,
                    resume_at=resume_at,
                    response_to_send=(
                        response_to_send.model_dump(mode="json") if response_to_send else None
                    ),
                    created=utcnow(),
                    updated=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["run_id", "step_path"])
            )
            await session.commit()
            row = await session.scalar(
                select(WaitpointRow).where(
                    WaitpointRow.run_id == run_id, WaitpointRow.step_path == step_path
                )
            )
            assert row is not None
            return to_waitpoint(row, self._public_url)

    async def get(self, *, run_id: str, waitpoint_id: str) -> Waitpoint | None:
        async with self._sessions() as session:
            row = await session.get(WaitpointRow, waitpoint_id)
            if row is None or row.run_id != run_id:
                return None
            return to_waitpoint(row, self._public_url)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumeOutcome:
    """What a resume call did: queued the run now, stored it for later, or was a repeat."""

    queued: bool
    duplicate: bool = False


async def resume(
    session: AsyncSession, *, run_id: str, waitpoint_id: str, payload: dict[str, Any]
) -> ResumeOutcome:
    """Completes a waitpoint with `payload`; queues its run when the run waits at it.

    Raises:
        NotFoundError: no such run or waitpoint (or the waitpoint belongs to another run).
        ConflictError: the run already ended.
    """
    run = await session.scalar(select(FlowRunRow).where(FlowRunRow.id == run_id).with_for_update())
    waitpoint = await session.scalar(
        select(WaitpointRow).where(WaitpointRow.id == waitpoint_id).with_for_update()
    )
    if run is None or waitpoint is None or waitpoint.run_id != run_id:
        raise NotFoundError(
            f"No waitpoint {waitpoint_id!r} in run {run_id!r}", code="WAITPOINT_NOT_FOUND"
        )
    if waitpoint.status == COMPLETED:
        return ResumeOutcome(queued=False, duplicate=True)
    if RunStatus(run.status) in TERMINAL:
        raise ConflictError(
            f"Run {run_id} already ended {run.status}; it cannot be resumed",
            code="RUN_ALREADY_ENDED",
        )
    waitpoint.status = COMPLETED
    waitpoint.resume_payload = payload
    queued = _waits_at(run, waitpoint_id)
    if queued:
        check_transition(RunStatus(run.status), RunStatus.QUEUED)
        run.status = RunStatus.QUEUED
    await session.commit()
    return ResumeOutcome(queued=queued)


async def queue_if_completed(session: AsyncSession, run_id: str) -> bool:
    """After a run paused: queues it at once when its waitpoint was resumed already."""
    run = await session.scalar(select(FlowRunRow).where(FlowRunRow.id == run_id).with_for_update())
    if run is None or run.status != RunStatus.PAUSED:
        return False
    waitpoint_id = _pause_waitpoint(run)
    waitpoint = await session.get(WaitpointRow, waitpoint_id) if waitpoint_id else None
    if waitpoint is None or waitpoint.status != COMPLETED:
        await session.rollback()
        return False
    run.status = RunStatus.QUEUED
    await session.commit()
    return True


async def resume_payload(session: AsyncSession, run: FlowRunRow) -> dict[str, Any] | None:
    """The payload that resumed the waitpoint a run paused at (None if it was not resumed)."""
    waitpoint_id = _pause_waitpoint(run)
    if waitpoint_id is None:
        return None
    waitpoint = await session.get(WaitpointRow, waitpoint_id)
    if waitpoint is None or waitpoint.status != COMPLETED:
        return None
    return waitpoint.resume_payload or {}


def _waits_at(run: FlowRunRow, waitpoint_id: str) -> bool:
    return run.status == RunStatus.PAUSED and _pause_waitpoint(run) == waitpoint_id


def _pause_waitpoint(run: FlowRunRow) -> str | None:
    pause = (run.log_state or {}).get("pause")
    if not isinstance(pause, dict):
        return None
    waitpoint = pause.get("waitpoint")
    return str(waitpoint["id"]) if isinstance(waitpoint, dict) and "id" in waitpoint else None
