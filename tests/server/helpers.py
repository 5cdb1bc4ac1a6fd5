"""Helpers the server tests share: make, publish and watch flows through the API."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text, update

from engine.model import RunResult
from server.app import create_app
from server.context import ServerContext
from server.db.base import new_id, utcnow
from server.db.models import FlowRow, FlowRunRow
from server.services import runs
from server.services.run_intake import NewRun
from server.services.run_logs import PostgresRunStore
from tests.conftest import SAMPLES
from tests.server.conftest import User, make_settings, sign_up


async def create(api: httpx.AsyncClient, owner: User, name: str = "My flow") -> dict[str, object]:
    response = await api.post(
        "/flows", json={"displayName": name, "projectId": owner.project_id}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def sample() -> dict[str, object]:
    document: dict[str, object] = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    return document


def piece_step(
    name: str, piece: str, action: str, *, version: str = "0.1.0", **values: Any
) -> dict[str, Any]:
    """A PIECE step of `piece`'s `action` with these input values."""
    return {
        "name": name,
        "type": "PIECE",
        "displayName": name,
        "settings": {
            "pieceName": piece,
            "pieceVersion": version,
            "actionName": action,
            "input": values,
        },
    }


def webhook_flow(display_name: str, *steps: dict[str, Any]) -> dict[str, Any]:
    """A flow started by Catch Webhook, then these steps."""
    return {
        "schemaVersion": 1,
        "displayName": display_name,
        "trigger": {
            "name": "trigger",
            "type": "PIECE_TRIGGER",
            "displayName": "Catch Webhook",
            "settings": {
                "pieceName": "webhook",
                "pieceVersion": "0.1.0",
                "triggerName": "catch_webhook",
                "input": {},
            },
        },
        "steps": list(steps),
        "notes": [],
    }


async def publish(api: httpx.AsyncClient, owner: User, document: dict[str, Any]) -> str:
    created = await create(api, owner)
    flow_id = str(created["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        response = await api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert response.status_code == 200, response.text
    return flow_id


async def finished_run(
    api: httpx.AsyncClient, owner: User, run_id: str, timeout_s: float = 15
) -> dict[str, Any]:
    """The run once it is no longer QUEUED or RUNNING."""
    async with asyncio.timeout(timeout_s):
        while True:
            run: dict[str, Any] = (
                await api.get(f"/flow-runs/{run_id}", headers=owner.headers)
            ).json()
            if run["status"] not in {"QUEUED", "RUNNING"}:
                return run
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def server_without_worker(
    tmp_path: Path, database_url: str, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, ServerContext]]:
    """The app with no worker (runs stay QUEUED), a client of it, and its context."""
    settings = make_settings(tmp_path, database_url, run_worker=False, **overrides)
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver/api/v1"
        ) as api:
            yield api, app.state.context


@contextlib.asynccontextmanager
async def queued_sample_run(
    tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[ServerContext, str]]:
    """The app with no worker, and one QUEUED run of the published sample flow (no job)."""
    async with server_without_worker(tmp_path, database_url) as (api, context):
        flow_id = await publish(api, await sign_up(api), sample())
        yield context, await queued_run(context, flow_id)


async def queued_run(context: ServerContext, flow_id: str, *, age: timedelta = timedelta(0)) -> str:
    """A QUEUED run of the flow's published version with no job, saved `age` ago (as a server
    that died before queueing its job leaves it)."""
    async with context.sessions() as session:
        flow = await session.get(FlowRow, flow_id)
        assert flow is not None
        assert flow.published_version_id is not None
        run = await runs.create_run(
            session,
            flow=flow,
            version_id=flow.published_version_id,
            payload={"body": {"a": 2, "b": 3}},
        )
        await session.execute(
            update(FlowRunRow).where(FlowRunRow.id == run.id).values(updated=utcnow() - age)
        )
        await session.commit()
        return run.id


async def published_flow(api: httpx.AsyncClient, context: ServerContext) -> FlowRow:
    """The sample flow, published by a new account, as its row."""
    flow_id = await publish(api, await sign_up(api), sample())
    async with context.sessions() as session:
        flow = await session.get(FlowRow, flow_id)
    assert flow is not None
    return flow


def new_run(
    flow: FlowRow,
    payload: object,
    *,
    run_id: str | None = None,
    sync: bool = False,
    take_with: int | None = None,
) -> NewRun:
    """A run of the flow's published version for `RunIntake.accept`."""
    assert flow.published_version_id is not None
    return NewRun(
        id=run_id or new_id(),
        project_id=flow.project_id,
        flow_id=flow.id,
        version_id=flow.published_version_id,
        payload=payload,
        sync=sync,
        take_with=take_with,
    )


async def registered_worker(context: ServerContext) -> int:
    """The id of a new worker in the queue's table (alive until it is deleted)."""
    async with context.sessions() as session:
        worker = await session.scalar(
            text("SELECT worker_id FROM procrastinate_register_worker_v1()")
        )
        await session.commit()
    assert worker is not None
    return int(worker)


async def start_run(
    context: ServerContext, run_id: str, *, concurrency_limit: int = 5
) -> runs.StartOutcome:
    """Starts a queued run as the context's run executor does (`runs.start_run`)."""
    async with context.run_executor.run_connection.use() as connection:
        return await runs.start_run(
            connection, run_id, concurrency_limit=concurrency_limit, sessions=context.sessions
        )


async def finish_execution(
    context: ServerContext, run_id: str, result: RunResult, **fields: Any
) -> runs.ExecutionEnd:
    """Ends an execution with its held last checkpoint (`runs.finish_execution`; `fields` are
    its keyword arguments)."""
    async with context.run_executor.run_connection.use() as connection:
        return await runs.finish_execution(connection, run_id, result, **fields)


def run_store(context: ServerContext) -> PostgresRunStore:
    """A run store as an engine process has one (another process's, when called again)."""
    return PostgresRunStore(context.sessions, context.run_executor.run_connection)


async def until(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    """Waits until `condition()` holds (another object's state, polled every 50 ms)."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - polls another object's state
            await asyncio.sleep(0.05)
