"""Desktop Notification: the output is the notification the desktop shows."""

import pytest

from pieces.framework import PropsValidationError
from pieces.framework.metadata import piece_metadata
from pieces.framework.testing import run_action
from pieces.notifications import piece
from pieces.notifications.actions.desktop_notification import (
    NOTIFICATION_TYPE,
    desktop_notification,
)


async def test_output_is_the_notification() -> None:
    result = await run_action(
        desktop_notification,
        {
            "title": "Invoice paid",
            "message": "ACME paid",
            "level": "success",
            "url": "https://x.example/1",
        },
    )
    out = result.output
    assert out["type"] == NOTIFICATION_TYPE == "DESKTOP_NOTIFICATION"
    assert (out["title"], out["message"], out["level"], out["url"]) == (
        "Invoice paid",
        "ACME paid",
        "success",
        "https://x.example/1",
    )
    assert out["runId"] == "test-run"
    assert out["stepName"] == "test_step"
    assert out["createdAt"].endswith("Z")
    again = await run_action(desktop_notification, {"title": "Invoice paid"})
    assert again.output["id"] != out["id"]
    assert again.output["level"] == "info"
    assert again.output["url"] is None


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "t", "level": "loud"}, "level"),
        ({"title": "t", "url": "javascript:alert(1)"}, "url"),
    ],
)
async def test_bad_input_is_a_field_error(props: dict[str, str], field: str) -> None:
    with pytest.raises(PropsValidationError) as caught:
        await run_action(desktop_notification, props)
    assert field in caught.value.errors


def test_piece_is_personal_only() -> None:
    assert piece_metadata(piece).personal_only is True
