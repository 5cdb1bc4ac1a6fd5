"""`/api/v1/ws`: authentication, subscriptions checked like REST reads, flow changes and run
progress pushed through Postgres NOTIFY (also when published from another connection)."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.app import create_app
from server.db.engine import create_engine, session_factory
from server.services.run_events import publish_run_event
from tests.server.conftest import User, make_settings, sign_up
from tests.server.helpers import create, publish, sample
from tests.server.test_members import invite


@dataclass
class Live:
    api: httpx.AsyncClient
    ws_url: str


@pytest.fixture
async def live(tmp_path: Path, database_url: str) -> AsyncIterator[Live]:
    """The app served by a real uvicorn on a free port (WebSockets need a real server)."""
    app = create_app(make_settings(tmp_path, database_url))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(60):
        while not server.started:  # noqa: ASYNC110 (uvicorn.Server has no started event)
            await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/v1") as api:
            yield Live(api=api, ws_url=f"ws://127.0.0.1:{port}/api/v1/ws")
    finally:
        server.should_exit = True
        await task


async def receive(ws: ClientConnection, *, until: str | None = None) -> dict[str, Any]:
    """The next message (of type `until`, skipping others), within 10 s."""
    async with asyncio.timeout(10):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if until is None or message["type"] == until:
                return message


@contextlib.asynccontextmanager
async def session_of(live: Live, user: User) -> AsyncIterator[ClientConnection]:
    async with connect(f"{live.ws_url}?token={user.token}") as ws:
        assert (await receive(ws))["type"] == "READY"
        yield ws


async def test_run_progress_and_flow_changes_are_pushed(live: Live) -> None:
    owner = await sign_up(live.api)
    async with session_of(live, owner) as ws:
        await ws.send(json.dumps({"type": "SUBSCRIBE_FLOWS", "projectId": owner.project_id}))
        assert (await receive(ws))["type"] == "SUBSCRIBED"
        await ws.send(json.dumps({"type": "SUBSCRIBE_RUNS", "projectId": owner.project_id}))
        assert (await receive(ws))["type"] == "SUBSCRIBED"
        flow = await create(live.api, owner, "Live")
        created = await receive(ws, until="FLOW_EVENT")
        assert (created["flowId"], created["event"]["type"]) == (flow["id"], "FLOW_CREATED")
        flow_id = await publish(live.api, owner, sample())
        await live.api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 2})
        events = [(await receive(ws, until="RUN_EVENT"))["event"]]
        while events[-1]["type"] != "RUN_FINISHED":
            events.append((await receive(ws, until="RUN_EVENT"))["event"])
        # The steps' records arrive with the engine's checkpoints, before the run's end.
        assert [(e["type"], e.get("step")) for e in events] == [
            ("RUN_STARTED", None),
            ("STEP_FINISHED", "trigger"),
            ("STEP_FINISHED", "step_1"),
            ("STEP_FINISHED", "step_2"),
            ("RUN_FINISHED", None),
        ]
        assert {e["status"] for e in events[1:]} == {"SUCCEEDED"}
        assert all(e["duration"] >= 0 for e in events[1:])


async def test_events_from_another_connection_reach_run_subscribers(
    live: Live, database_url: str
) -> None:
    owner = await sign_up(live.api)
    flow_id = await publish(live.api, owner, sample())
    response = await live.api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 2})
    run_id = response.headers["x-piecework-run-id"]
    async with connect(live.ws_url) as ws:
        await ws.send(json.dumps({"type": "AUTH", "token": owner.token}))
        assert (await receive(ws))["type"] == "READY"
        await ws.send(json.dumps({"type": "SUBSCRIBE_RUN", "runId": run_id}))
        subscribed = await receive(ws)
        assert (subscribed["type"], subscribed["status"]) == ("SUBSCRIBED", "SUCCEEDED")
        # A worker elsewhere: its own engine and connection, as on another machine.
        engine = create_engine(database_url)
        try:
            event = {"type": "STEP_FINISHED", "step": "step_1", "status": "SUCCEEDED"}
            sessions = session_factory(engine)
            await publish_run_event(owner.project_id, run_id, event, sessions=sessions)
            async with sessions() as session:
                await publish_run_event(owner.project_id, "another-run", event, session=session)
                await session.commit()
        finally:
            await engine.dispose()
        pushed = await receive(ws)
        assert pushed == {
            "type": "RUN_EVENT",
            "projectId": owner.project_id,
            "runId": run_id,
            "event": {"type": "STEP_FINISHED", "step": "step_1", "status": "SUCCEEDED"},
        }
        big = {"type": "STEP_FINISHED", "step": "step_1", "output": "x" * 20_000}
        engine = create_engine(database_url)
        try:
            await publish_run_event(owner.project_id, run_id, big, sessions=session_factory(engine))
        finally:
            await engine.dispose()
        truncated = await receive(ws)
        assert truncated["event"] == {"type": "STEP_FINISHED", "step": "step_1", "truncated": True}


async def test_subscriptions_are_checked_like_reads(live: Live) -> None:
    owner = await sign_up(live.api)
    other = (
        await live.api.post("/projects", json={"displayName": "Other"}, headers=owner.headers)
    ).json()
    await invite(live.api, owner, "eve@example.com", "VIEWER")
    eve = await sign_up(live.api, email="eve@example.com")
    async with session_of(live, eve) as ws:
        await ws.send(json.dumps({"type": "SUBSCRIBE_FLOWS", "projectId": other["id"]}))
        denied = await receive(ws)
        assert (denied["type"], denied["code"]) == ("ERROR", "PROJECT_NOT_FOUND")
        await ws.send(json.dumps({"type": "SUBSCRIBE_RUN", "runId": "nope"}))
        assert (await receive(ws))["code"] == "FLOW_RUN_NOT_FOUND"
        await ws.send(json.dumps({"type": "DANCE"}))
        assert (await receive(ws))["code"] == "INVALID_MESSAGE"
        await ws.send("not json")
        assert (await receive(ws))["code"] == "INVALID_MESSAGE"
        await ws.send(json.dumps({"type": "SUBSCRIBE_FLOWS", "projectId": owner.project_id}))
        assert (await receive(ws))["type"] == "SUBSCRIBED"
        # Changes in the other project do not reach this client.
        await live.api.post(
            "/flows",
            json={"displayName": "Hidden", "projectId": other["id"]},
            headers=owner.headers,
        )
        await create(live.api, owner, "Visible")
        event = await receive(ws)
        assert event["event"]["flowName"] == "Visible"


async def test_bad_or_missing_tokens_close_the_connection(live: Live) -> None:
    async with connect(f"{live.ws_url}?token=forged") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    async with connect(live.ws_url) as ws:
        await ws.send(json.dumps({"type": "SUBSCRIBE_FLOWS", "projectId": "x"}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
