"""A sync caller is answered from the run's end notification; a large answer is read from the run."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from engine.model import RunResult, RunStatus, WebhookResponse
from server.app import create_app
from server.context import ServerContext
from server.services import run_waiter
from server.services.run_answers import (
    MAX_MESSAGE_BYTES,
    answer_message,
    read_answer_message,
)
from tests.engine.builders import flow, respond
from tests.server.conftest import make_settings, sign_up
from tests.server.helpers import publish

#: The waiter's read of a run's answer (run_waiter._ANSWER).
_ANSWER_READ = "result -> 'response'"


@contextlib.asynccontextmanager
async def served(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """The app with its worker, a client of it, and the statements the server process sends."""
    app = create_app(make_settings(tmp_path, database_url))
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        context: ServerContext = app.state.context
        event.listen(context.engine.sync_engine, "before_cursor_execute", capture)
        transport = httpx.ASGITransport(app=manager.app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test/api/v1", timeout=60
            ) as client:
                yield client, sent
        finally:
            event.remove(context.engine.sync_engine, "before_cursor_execute", capture)


async def responding_flow(api: httpx.AsyncClient, *, body: Any, status: int = 200) -> str:
    """A new owner's published flow that answers with a Return Response of `body`."""
    owner = await sign_up(api)
    document = flow(respond("step_1", body=body, status=status))
    return await publish(api, owner, document.model_dump(mode="json"))


async def test_a_sync_caller_is_answered_without_reading_the_run(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No re-check (its read is the safety net for a lost notification) during the test.
    monkeypatch.setattr(run_waiter, "RECHECK_INTERVAL_S", 60.0)
    async with served(tmp_path, database_url) as (api, sent):
        flow_id = await responding_flow(api, body={"hello": "{{trigger.body.name}}"}, status=201)
        sent.clear()
        answered = await api.post(f"/webhooks/{flow_id}/sync", json={"name": "Ada"})
        assert answered.status_code == 201, answered.text
        assert answered.json() == {"hello": "Ada"}
        assert not [statement for statement in sent if _ANSWER_READ in statement]


async def test_an_answer_too_large_for_a_notification_is_read_from_the_run(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_waiter, "RECHECK_INTERVAL_S", 60.0)
    async with served(tmp_path, database_url) as (api, sent):
        large = "x" * (MAX_MESSAGE_BYTES + 100)
        flow_id = await responding_flow(api, body={"large": large})
        sent.clear()
        answered = await api.post(f"/webhooks/{flow_id}/sync", json={})
        assert answered.status_code == 200, answered.text
        assert answered.json() == {"large": large}
        assert len([statement for statement in sent if _ANSWER_READ in statement]) == 1


def test_the_notification_carries_the_answer_when_it_fits() -> None:
    result = RunResult(
        status=RunStatus.SUCCEEDED,
        response=WebhookResponse(status=202, headers={"x-a": "1"}, body={"ok": True}),
    )
    run_id, answer = read_answer_message(answer_message("run1", result))
    assert run_id == "run1"
    assert answer is not None
    assert answer.status is RunStatus.SUCCEEDED
    assert answer.response == result.response
    assert answer.error is None
    failed = RunResult(status=RunStatus.FAILED, error_message="Step 'a' failed: boom")
    _, answer = read_answer_message(answer_message("run2", failed))
    assert answer is not None
    assert answer.error == "Step 'a' failed: boom"


def test_a_large_answer_or_a_bare_id_carries_only_the_run_id() -> None:
    large = RunResult(
        status=RunStatus.SUCCEEDED,
        response=WebhookResponse(status=200, body="é" * MAX_MESSAGE_BYTES),  # bytes, not chars
    )
    message = answer_message("run1", large)
    assert len(message.encode()) < MAX_MESSAGE_BYTES
    assert read_answer_message(message) == ("run1", None)
    assert read_answer_message("aB3dE5fG7hJ9kL1mN3pQ5") == ("aB3dE5fG7hJ9kL1mN3pQ5", None)
