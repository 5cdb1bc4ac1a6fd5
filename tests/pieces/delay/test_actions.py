"""Delay: pauses on a DELAY waitpoint until its time; due or past times go on at once."""

from datetime import UTC, datetime, timedelta

import pytest

from engine.model import WaitpointType
from pieces.delay import piece
from pieces.framework import ExecutionType, PieceError, PropsValidationError
from pieces.framework.testing import RecordingWaitpoints, run_action


@pytest.mark.parametrize(("amount", "unit", "seconds"), [(90, "seconds", 90), (2, "hours", 7200)])
async def test_delay_for_pauses_until_now_plus_the_amount(
    amount: int, unit: str, seconds: int
) -> None:
    waitpoints = RecordingWaitpoints()
    before = datetime.now(UTC)
    result = await run_action(
        piece.action("delay_for"), {"amount": amount, "unit": unit}, waitpoints=waitpoints
    )
    waitpoint = result.run.paused_on
    assert waitpoint is not None
    assert waitpoint.type is WaitpointType.DELAY
    assert waitpoint.resume_at is not None
    expected = before + timedelta(seconds=seconds)
    assert abs((waitpoint.resume_at - expected).total_seconds()) < 5


async def test_delay_until_a_past_moment_goes_on_without_pausing() -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    result = await run_action(piece.action("delay_until"), {"timestamp": past})
    assert result.run.paused_on is None
    assert result.output["success"] is True


async def test_delay_until_pauses_until_the_moment_and_reports_success_on_resume() -> None:
    moment = datetime.now(UTC) + timedelta(days=2)
    result = await run_action(piece.action("delay_until"), {"timestamp": moment.isoformat()})
    assert result.run.paused_on is not None
    assert result.run.paused_on.resume_at == moment
    resumed = await run_action(
        piece.action("delay_until"),
        {"timestamp": moment.isoformat()},
        execution_type=ExecutionType.RESUME,
        resume_payload={},
    )
    assert resumed.run.paused_on is None
    assert resumed.output["success"] is True


async def test_pauses_past_the_limit_and_bad_amounts_are_refused() -> None:
    with pytest.raises(PieceError, match="30-day limit"):
        await run_action(piece.action("delay_for"), {"amount": 31, "unit": "days"})
    with pytest.raises(PropsValidationError, match="amount"):
        await run_action(piece.action("delay_for"), {"amount": -1, "unit": "days"})
    with pytest.raises(PropsValidationError, match="unit"):
        await run_action(piece.action("delay_for"), {"amount": 1, "unit": "weeks"})
