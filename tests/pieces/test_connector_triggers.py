"""Connector triggers refuse to turn on without a connection or a webhook URL, in plain words.

The server calls `on_enable` when a flow is published; a missing connection must be a clear
AuthError (answered 400) rather than a TypeError inside a vendor call.
"""

import pytest

from pieces.framework import AuthError, PieceError, PieceRegistry, TriggerContext
from pieces.framework.connection import require_connection, require_webhook_url

REGISTRY = PieceRegistry.discover()

#: (piece, trigger, props) of every connector trigger that needs a connection.
NEEDS_CONNECTION = [
    ("imap", "new_email", {"folder": "INBOX", "max_per_poll": 20}),
    ("postgres", "new_row", {"table": "t", "order_column": "id", "batch_size": 10}),
    ("mysql", "new_row", {"table": "t", "order_column": "id", "batch_size": 10}),
    ("telegram", "new_message", {"chat_id": ""}),
    ("github", "new_issue", {"repository": "octocat/Hello-World"}),
    ("github", "new_pull_request", {"repository": "octocat/Hello-World"}),
    ("google_sheets", "new_row", {"spreadsheet": "x", "sheet": "Sheet1"}),
]


@pytest.mark.parametrize(
    ("piece", "trigger", "props"),
    NEEDS_CONNECTION,
    ids=[f"{p}.{t}" for p, t, _ in NEEDS_CONNECTION],
)
async def test_enabling_without_a_connection_says_so(
    piece: str, trigger: str, props: dict[str, object]
) -> None:
    found = REGISTRY.latest(piece).trigger(trigger)
    assert found.on_enable is not None
    with pytest.raises(AuthError, match="needs a connection"):
        await found.on_enable(TriggerContext(props=props, webhook_url="https://pw.example/hook"))


@pytest.mark.parametrize(
    ("piece", "trigger"), [("telegram", "new_message"), ("github", "new_issue")]
)
async def test_enabling_without_a_webhook_url_says_so(piece: str, trigger: str) -> None:
    found = REGISTRY.latest(piece).trigger(trigger)
    assert found.on_enable is not None
    auth = {"bot_token": "1:x", "token": "ghp_x"}
    props = {"chat_id": "", "repository": "octocat/Hello-World"}
    with pytest.raises(PieceError, match="webhook URL is not known"):
        await found.on_enable(TriggerContext(props=props, auth=auth, webhook_url=""))


def test_helpers_pass_values_through() -> None:
    assert require_connection({"a": 1}, piece_name="X") == {"a": 1}
    assert require_webhook_url("https://pw.example/hook") == "https://pw.example/hook"
