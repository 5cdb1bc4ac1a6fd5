"""What both delay actions do: pause on a DELAY waitpoint, or go on at once when it is due."""

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from pieces.framework import ActionContext, ExecutionType, PieceError, WaitpointType

#: Longest pause, in days (PW_PAUSED_FLOW_TIMEOUT_DAYS).
DEFAULT_MAX_DAYS = 30


def max_pause() -> timedelta:
    """The longest a run may stay paused."""
    raw = os.environ.get("PW_PAUSED_FLOW_TIMEOUT_DAYS", "").strip()
    return timedelta(days=float(raw) if raw else DEFAULT_MAX_DAYS)


async def pause_until(ctx: ActionContext, resume_at: datetime) -> Any:
    """Pauses the run until `resume_at` on the first execution; the output once resumed."""
    if ctx.execution_type is ExecutionType.RESUME:
        return {"success": True, "resumedAt": datetime.now(UTC).isoformat()}
    now = datetime.now(UTC)
    if resume_at - now > max_pause():
        days = max_pause().total_seconds() / 86400
        raise PieceError(
            f"The run would wait until {resume_at.isoformat()}, past the {days:g}-day limit "
            "for paused runs (PW_PAUSED_FLOW_TIMEOUT_DAYS); choose an earlier time"
        )
    if resume_at <= now:
        return {"success": True, "resumedAt": now.isoformat()}
    waitpoint = await ctx.run.create_waitpoint(type=WaitpointType.DELAY, resume_at=resume_at)
    ctx.run.wait_for_waitpoint(waitpoint.id)
    return None
