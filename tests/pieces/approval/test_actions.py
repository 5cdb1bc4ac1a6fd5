"""Approval: links that resume a run, and a step that waits for one of them."""

import pytest

from pieces.approval import piece
from pieces.approval.actions.wait_for_approval import approved
from pieces.framework import ExecutionType, WaitpointError
from pieces.framework.testing import RecordingWaitpoints, run_action


async def test_links_resume_the_waitpoint_that_wait_for_approval_waits_for() -> None:
    waitpoints = RecordingWaitpoints()
    links = await run_action(piece.action("create_approval_links"), waitpoints=waitpoints)
    waitpoint_id = links.output["waitpointId"]
    resume_url = waitpoints.created[waitpoint_id].resume_url
    assert links.output["approveLink"] == f"{resume_url}?action=approve"
    assert links.output["disapproveLink"] == f"{resume_url}?action=disapprove"
    assert links.run.paused_on is None  # making links does not pause

    waiting = await run_action(
        piece.action("wait_for_approval"), {"waitpointId": waitpoint_id}, waitpoints=waitpoints
    )
    assert waiting.run.paused_on is not None
    assert waiting.run.paused_on.id == waitpoint_id


async def test_waiting_without_links_makes_its_own_waitpoint() -> None:
    waiting = await run_action(piece.action("wait_for_approval"))
    assert waiting.run.paused_on is not None


async def test_waiting_for_an_unknown_waitpoint_is_a_clear_error() -> None:
    with pytest.raises(WaitpointError, match="no waitpoint 'nope'"):
        await run_action(piece.action("wait_for_approval"), {"waitpointId": "nope"})


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"queryParams": {"action": "approve"}, "body": {}}, True),
        ({"queryParams": {"action": "disapprove"}, "body": {}}, False),
        ({"queryParams": {}, "body": {"approved": True}}, True),
        ({"queryParams": {}, "body": {"action": "APPROVE"}}, True),
        ({"queryParams": {}, "body": "yes"}, False),
        (None, False),
    ],
)
async def test_the_resume_payload_decides(payload: object, expected: bool) -> None:
    assert approved(payload) is expected
    result = await run_action(
        piece.action("wait_for_approval"),
        execution_type=ExecutionType.RESUME,
        resume_payload=payload,
    )
    assert result.output == {"approved": expected}
