"""Schedule triggers: publishing turns them on, the worker's scheduler fires them, disabling stops them."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg

from server.services.schedules import next_fire_at
from tests.engine.builders import AnyStep, code
from tests.server.conftest import User
from tests.server.helpers import create


def scheduled_flow(
    trigger_name: str, inputs: dict[str, Any], step: AnyStep | None = None
) -> dict[str, Any]:
    """A flow with a schedule trigger; its one step echoes the scheduled time unless given."""
    step = step or code(
        "step_1",
        "export const code = async (inputs) => ({ at: inputs.at })",
        at="{{trigger.scheduledTime}}",
    )
    return {
        "displayName": "Every so often",
        "trigger": {
            "type": "PIECE_TRIGGER",
            "settings": {
                "pieceName": "schedule",
                "pieceVersion": "0.1.0",
                "triggerName": trigger_name,
                "input": inputs,
            },
        },
        "steps": [step.model_dump(mode="json")],
    }


async def publish_scheduled(
    api: httpx.AsyncClient, owner: User, document: dict[str, Any]
) -> tuple[str, httpx.Response]:
    flow = await create(api, owner)
    url = f"/flows/{flow['id']}"
    imported = await api.post(
        url, json={"type": "IMPORT_FLOW", "request": document}, headers=owner.headers
    )
    assert imported.status_code == 200, imported.text
    return str(flow["id"]), await api.post(
        url, json={"type": "LOCK_AND_PUBLISH", "request": {}}, headers=owner.headers
    )


async def schedule_of(database_url: str, flow_id: str) -> tuple[str, datetime] | None:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        row = await (
            await conn.execute(
                "SELECT cron_expression, next_fire_at FROM trigger_sources WHERE flow_id = %s",
                (flow_id,),
            )
        ).fetchone()
    return None if row is None else (row[0], row[1])


async def test_publishing_schedules_the_next_fire_time(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    flow_id, published = await publish_scheduled(
        api, owner, scheduled_flow("every_x_minutes", {"minutes": 5})
    )
    assert published.status_code == 200, published.text
    schedule = await schedule_of(database_url, flow_id)
    assert schedule is not None
    cron, at = schedule
    assert cron == "*/5 * * * *"
    assert at > datetime.now(UTC)
    assert at.minute % 5 == 0
    assert at.second == 0


async def test_due_schedule_becomes_a_run_and_moves_on(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    # Its own ticks come once a year: with "every minute", a minute boundary during the test
    # fired a second run, or made the next tick due again before the last assertion.
    flow_id, _ = await publish_scheduled(
        api, owner, scheduled_flow("cron_expression", {"cronExpression": "0 0 1 1 *"})
    )
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute(
            "UPDATE trigger_sources SET next_fire_at = now() - interval '1 second' WHERE flow_id = %s",
            (flow_id,),
        )
    params = {"projectId": owner.project_id, "flowId": flow_id}
    async with asyncio.timeout(20):
        while True:
            runs = (await api.get("/flow-runs", params=params, headers=owner.headers)).json()[
                "data"
            ]
            if runs and runs[0]["status"] == "SUCCEEDED":
                break
            await asyncio.sleep(0.2)
    assert len(runs) == 1
    run = (await api.get(f"/flow-runs/{runs[0]['id']}", headers=owner.headers)).json()
    scheduled = run["steps"]["trigger"]["output"]["scheduledTime"]
    assert run["steps"]["step_1"]["output"] == {"at": scheduled}
    schedule = await schedule_of(database_url, flow_id)
    assert schedule is not None
    assert schedule[1] > datetime.now(UTC)


async def test_turning_a_flow_off_and_on_removes_and_restores_its_schedule(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    flow_id, _ = await publish_scheduled(api, owner, scheduled_flow("every_hour", {}))
    off = await api.post(
        f"/flows/{flow_id}",
        json={"type": "CHANGE_STATUS", "request": {"status": "DISABLED"}},
        headers=owner.headers,
    )
    assert off.status_code == 200
    assert await schedule_of(database_url, flow_id) is None
    await api.post(
        f"/flows/{flow_id}",
        json={"type": "CHANGE_STATUS", "request": {"status": "ENABLED"}},
        headers=owner.headers,
    )
    assert await schedule_of(database_url, flow_id) is not None


async def test_invalid_cron_refuses_to_publish(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    flow_id, published = await publish_scheduled(
        api,
        owner,
        scheduled_flow("cron_expression", {"cronExpression": "every tuesday", "timezone": "UTC"}),
    )
    assert published.status_code == 400
    assert published.json()["code"] == "TRIGGER_ENABLE_FAILED"
    assert "every tuesday" in published.json()["message"]
    flow = (await api.get(f"/flows/{flow_id}", headers=owner.headers)).json()
    assert flow["publishedVersionId"] is None
    assert flow["status"] == "DISABLED"
    assert await schedule_of(database_url, flow_id) is None


def test_next_fire_time_follows_the_time_zone() -> None:
    after = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    fire = next_fire_at(cron_expression="0 9 * * *", timezone="Europe/Paris", after=after)
    assert fire.astimezone(UTC) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
