"""Polling triggers on the server: an RSS feed on a local HTTP server, polled by real workers.

Enabling records what the feed holds (those items never fire, as in Activepieces' polling
helper); each later item starts exactly one run; failed polls turn the flow off at the
threshold with the reason on the flow; two workers never poll one source twice.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from engine.model import Flow, PieceTrigger, PieceTriggerSettings
from server.services.live_events import CHANNEL
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import create

#: Poll every 0.6 s, turn off after 3 failed polls in a row.
FAST = {"trigger_poll_interval_minutes": 0.01, "trigger_failure_threshold": 3}


class Feed:
    """An RSS feed whose items the test changes; `down` makes it answer 503."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.down = False

    def answer(self, request: Received) -> Reply:
        if self.down:
            return Reply(status=503, body=b"maintenance")
        entries = "".join(
            f"<item><title>{name}</title><guid isPermaLink='false'>{name}</guid>"
            f"<link>https://blog.example.com/{name}</link></item>"
            for name in reversed(self.items)  # newest first, as feeds list them
        )
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>Test blog</title><link>https://blog.example.com/</link>{entries}"
            "</channel></rss>"
        )
        return Reply(headers={"Content-Type": "application/rss+xml"}, body=body.encode())


@pytest.fixture
def feed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Feed, LocalServer]]:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    served = Feed()
    served.items = ["post-1", "post-2"]
    with local_http_server(served.answer) as running:
        yield served, running


@pytest.fixture
async def fast_api(tmp_path: Path, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(tmp_path, database_url, **FAST) as client:
        yield client


def rss_flow(url: str) -> dict[str, Any]:
    trigger = PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="rss", piece_version="0.1.0", trigger_name="new_item", input={"url": url}
        )
    )
    return Flow(display_name="New posts", trigger=trigger, steps=[]).model_dump(mode="json")


async def publish_rss(api: httpx.AsyncClient, owner: User, url: str) -> str:
    flow_id = str((await create(api, owner))["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": rss_flow(url)},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        answer = await api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert answer.status_code == 200, answer.text
    return flow_id


async def runs_of(api: httpx.AsyncClient, owner: User, flow_id: str) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"projectId": owner.project_id, "flowId": flow_id, "limit": 100}
    data: list[dict[str, Any]] = (
        await api.get("/flow-runs", params=params, headers=owner.headers)
    ).json()["data"]
    return data


async def until(check: Callable[[], Any], timeout_s: float = 20) -> None:
    async with asyncio.timeout(timeout_s):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)


async def polls_after(server: LocalServer, count: int) -> None:
    """Waits until the feed has been fetched `count` more times."""
    seen = len(server.received)
    await until(lambda: _at_least(server, seen + count))


async def _at_least(server: LocalServer, count: int) -> bool:
    return len(server.received) >= count


async def finished_titles(api: httpx.AsyncClient, owner: User, flow_id: str) -> list[str]:
    titles = []
    for listed in await runs_of(api, owner, flow_id):
        run = (await api.get(f"/flow-runs/{listed['id']}", headers=owner.headers)).json()
        assert run["status"] == "SUCCEEDED", run
        titles.append(run["steps"]["trigger"]["output"]["title"])
    return sorted(titles)


async def test_each_new_feed_item_starts_one_run(
    fast_api: httpx.AsyncClient, feed: tuple[Feed, LocalServer]
) -> None:
    served, server = feed
    owner = await sign_up(fast_api)
    flow_id = await publish_rss(fast_api, owner, f"{server.url}/feed")
    await polls_after(server, 2)
    assert await runs_of(fast_api, owner, flow_id) == []  # items there before enabling never fire
    served.items += ["post-3", "post-4"]

    async def two_finished() -> bool:
        runs = await runs_of(fast_api, owner, flow_id)
        return len(runs) >= 2 and all(r["status"] == "SUCCEEDED" for r in runs)

    await until(two_finished)
    await polls_after(server, 3)
    assert await finished_titles(fast_api, owner, flow_id) == ["post-3", "post-4"]


async def test_failing_polls_turn_the_flow_off_with_the_reason(
    fast_api: httpx.AsyncClient, feed: tuple[Feed, LocalServer], database_url: str
) -> None:
    served, server = feed
    owner = await sign_up(fast_api)
    flow_id = await publish_rss(fast_api, owner, f"{server.url}/feed")
    listener = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
    await listener.execute(f"LISTEN {CHANNEL}")
    served.down = True

    async def turned_off() -> bool:
        flow = (await fast_api.get(f"/flows/{flow_id}", headers=owner.headers)).json()
        return bool(flow["status"] == "DISABLED")

    await until(turned_off)
    flow = (await fast_api.get(f"/flows/{flow_id}", headers=owner.headers)).json()
    assert "3 failed polls in a row" in flow["triggerError"]
    assert "503" in flow["triggerError"]
    assert await source_of(database_url, flow_id) is None
    events = await fast_api.get(
        "/audit-events",
        params={"action": "flow.deactivated", "projectId": owner.project_id},
        headers=owner.headers,
    )
    assert [e["data"]["reason"] for e in events.json()["data"]] == ["TRIGGER_FAILURES"]
    async with listener:
        async with asyncio.timeout(5):
            async for note in listener.notifies():
                if "3 failed polls" in note.payload and flow_id in note.payload:
                    break  # the live FLOW_UPDATED event carries the reason
    fetched = len(server.received)
    await asyncio.sleep(1.5)
    assert len(server.received) == fetched  # no more polls once off

    served.down = False
    on = await fast_api.post(
        f"/flows/{flow_id}",
        json={"type": "CHANGE_STATUS", "request": {"status": "ENABLED"}},
        headers=owner.headers,
    )
    assert on.status_code == 200, on.text
    assert on.json()["status"] == "ENABLED"
    assert on.json()["triggerError"] is None
    assert await source_of(database_url, flow_id) == ("POLLING", 0)
    served.items.append("post-3")

    async def one_run() -> bool:
        return len(await runs_of(fast_api, owner, flow_id)) == 1

    await until(one_run)


async def test_two_workers_never_poll_one_source_twice(
    tmp_path: Path, database_url: str, feed: tuple[Feed, LocalServer]
) -> None:
    served, server = feed
    async with (
        serve_app(tmp_path / "a", database_url, **FAST) as first,
        serve_app(tmp_path / "b", database_url, **FAST) as second,
    ):
        owner = await sign_up(first)
        flow_ids = [await publish_rss(first, owner, f"{server.url}/feed/{n}") for n in range(3)]
        await polls_after(server, 3)
        served.items += ["post-3", "post-4"]
        await polls_after(server, 12)  # both workers claimed each source several times
        await asyncio.sleep(1.0)
        for flow_id in flow_ids:
            assert await finished_or_queued(second, owner, flow_id) == 2


async def finished_or_queued(api: httpx.AsyncClient, owner: User, flow_id: str) -> int:
    return len(await runs_of(api, owner, flow_id))


async def source_of(database_url: str, flow_id: str) -> tuple[str, int] | None:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        row = await (
            await conn.execute(
                "SELECT strategy, consecutive_failures FROM trigger_sources WHERE flow_id = %s",
                (flow_id,),
            )
        ).fetchone()
    return None if row is None else (row[0], row[1])


async def test_new_database_rows_start_runs(fast_api: httpx.AsyncClient, database_url: str) -> None:
    libpq = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id integer PRIMARY KEY, item text)")
        conn.execute("INSERT INTO orders VALUES (1, 'old')")
    owner = await sign_up(fast_api)
    connection = await fast_api.post(
        "/app-connections",
        json={
            "externalId": "pg",
            "displayName": "Orders",
            "pieceName": "postgres",
            "projectId": owner.project_id,
            "type": "CUSTOM_AUTH",
            "value": {"type": "CUSTOM_AUTH", "props": {"url": libpq}},
        },
        headers=owner.headers,
    )
    assert connection.status_code in (200, 201), connection.text
    settings = PieceTriggerSettings(
        piece_name="postgres",
        piece_version="0.1.0",
        trigger_name="new_row",
        input={
            "auth": "{{connections['pg']}}",
            "table": "orders",
            "order_column": "id",
            "batch_size": 10,
        },
    )
    document = Flow(display_name="Orders", trigger=PieceTrigger(settings=settings), steps=[])
    flow_id = str((await create(fast_api, owner))["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": document.model_dump(mode="json")},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        answer = await fast_api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert answer.status_code == 200, answer.text
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute("INSERT INTO orders VALUES (2, 'tea'), (3, 'cake')")

    async def two_succeeded() -> bool:
        runs = await runs_of(fast_api, owner, flow_id)
        return len(runs) == 2 and all(r["status"] == "SUCCEEDED" for r in runs)

    await until(two_succeeded)
    await asyncio.sleep(1.5)  # more polls: nothing new
    items = []
    for listed in await runs_of(fast_api, owner, flow_id):
        run = (await fast_api.get(f"/flow-runs/{listed['id']}", headers=owner.headers)).json()
        items.append(run["steps"]["trigger"]["output"])
    assert len(items) == 2
    assert "tea" in json.dumps(items)
    assert "cake" in json.dumps(items)
    assert "old" not in json.dumps(items)


async def test_flows_turned_on_before_trigger_sources_get_one_at_start(
    tmp_path: Path, database_url: str, feed: tuple[Feed, LocalServer]
) -> None:
    _, server = feed
    async with serve_app(tmp_path / "a", database_url) as first:
        owner = await sign_up(first)
        flow_id = await publish_rss(first, owner, f"{server.url}/feed")
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute("DELETE FROM trigger_sources WHERE flow_id = %s", (flow_id,))
    async with serve_app(tmp_path / "b", database_url):
        assert await source_of(database_url, flow_id) == ("POLLING", 0)


async def test_a_poll_that_fails_before_its_commit_fires_its_items_at_the_next_poll(
    fast_api: httpx.AsyncClient, feed: tuple[Feed, LocalServer], database_url: str
) -> None:
    served, server = feed
    owner = await sign_up(fast_api)
    flow_id = await publish_rss(fast_api, owner, f"{server.url}/feed")
    await polls_after(server, 2)
    # The database refuses, at commit, any transaction that created a run (a deferred
    # constraint trigger): the poll fails after its runs and dedupe state were written.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION refuse_runs() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected failure at commit'; END $$"
        )
        conn.execute(
            "CREATE CONSTRAINT TRIGGER refuse_runs AFTER INSERT ON flow_runs "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_runs()"
        )
    served.items += ["post-3"]
    await polls_after(server, 3)  # post-3 was seen, and its commit refused, at least twice
    assert await runs_of(fast_api, owner, flow_id) == []
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse_runs ON flow_runs")

    async def one_finished() -> bool:
        runs = await runs_of(fast_api, owner, flow_id)
        return len(runs) == 1 and runs[0]["status"] == "SUCCEEDED"

    await until(one_finished)
    await polls_after(server, 3)
    assert await finished_titles(fast_api, owner, flow_id) == ["post-3"]  # exactly once
