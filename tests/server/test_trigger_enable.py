"""Publishing turns the trigger on with its connection, the flow's store and its webhook URL."""

import httpx
import psycopg

from engine.model import Flow, PieceTrigger, PieceTriggerSettings
from tests.server.conftest import User
from tests.server.helpers import create


def libpq(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


async def test_a_polling_trigger_with_a_connection_turns_on_when_published(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    with psycopg.connect(libpq(database_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id integer PRIMARY KEY, name text)")
        conn.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')")
    connection = await api.post(
        "/app-connections",
        json={
            "externalId": "pg",
            "displayName": "Test database",
            "pieceName": "postgres",
            "projectId": owner.project_id,
            "type": "CUSTOM_AUTH",
            "value": {"type": "CUSTOM_AUTH", "props": {"url": libpq(database_url)}},
        },
        headers=owner.headers,
    )
    assert connection.status_code in (200, 201), connection.text
    trigger = PieceTrigger(
        settings=PieceTriggerSettings(
            piece_name="postgres",
            piece_version="0.1.0",
            trigger_name="new_row",
            input={
                "auth": "{{connections['pg']}}",
                "table": "items",
                "order_column": "id",
                "batch_size": 10,
            },
        )
    )
    flow_id = str((await create(api, owner))["id"])
    document = Flow(display_name="New rows", trigger=trigger, steps=[]).model_dump(mode="json")
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        answer = await api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert answer.status_code == 200, answer.text
    state = await api.get(
        "/store-entries",
        params={"key": f"flow_{flow_id}/postgres_last_value", "projectId": owner.project_id},
        headers=owner.headers,
    )
    assert state.status_code == 200, state.text
    assert state.json()["value"] == {"value": 2}  # rows that exist already never fire
