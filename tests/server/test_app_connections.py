"""App connections: values are encrypted at rest and never returned."""

import httpx
import psycopg
import pytest

from tests.engine.builders import code, flow, respond
from tests.server.conftest import User
from tests.server.helpers import publish

SECRET = "sk-live-do-not-leak-4242"


def body(owner: User, **overrides: object) -> dict[str, object]:
    return {
        "externalId": "openai",
        "displayName": "OpenAI",
        "pieceName": "acme_api",  # a piece that is not installed: values are not checked
        "projectId": owner.project_id,
        "type": "SECRET_TEXT",
        "value": {"type": "SECRET_TEXT", "secret_text": SECRET},
        **overrides,
    }


async def test_upsert_list_and_delete_never_show_the_value(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    created = await api.post("/app-connections", json=body(owner), headers=owner.headers)
    assert created.status_code == 201, created.text
    assert SECRET not in created.text
    assert created.json()["externalId"] == "openai"
    again = await api.post(
        "/app-connections", json=body(owner, displayName="OpenAI (new key)"), headers=owner.headers
    )
    assert again.json()["id"] == created.json()["id"]
    listed = await api.get(
        "/app-connections", params={"projectId": owner.project_id}, headers=owner.headers
    )
    assert [c["displayName"] for c in listed.json()["data"]] == ["OpenAI (new key)"]
    assert SECRET not in listed.text
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        stored = await (
            await conn.execute("SELECT encrypted_value FROM app_connections")
        ).fetchall()
    assert SECRET not in repr(stored)
    assert stored[0][0].startswith("v1:")
    deleted = await api.delete(f"/app-connections/{created.json()['id']}", headers=owner.headers)
    assert deleted.status_code == 204


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "BASIC_AUTH", "username": "u", "password": "p"}, "make them match"),
        ({"type": "SECRET_TEXT"}, "secret_text"),
        ({"type": "SECRET_TEXT", "secret_text": SECRET, "extra": 1}, "extra"),
    ],
)
async def test_bad_values_are_400_without_echoing_the_secret(
    api: httpx.AsyncClient, owner: User, value: dict[str, object], message: str
) -> None:
    response = await api.post(
        "/app-connections", json=body(owner, value=value), headers=owner.headers
    )
    assert response.status_code == 400
    assert message in response.text
    assert SECRET not in response.text


async def test_every_value_shape_is_accepted(api: httpx.AsyncClient, owner: User) -> None:
    values = [
        ("BASIC_AUTH", {"type": "BASIC_AUTH", "username": "u", "password": "p"}),
        ("CUSTOM_AUTH", {"type": "CUSTOM_AUTH", "props": {"host": "h", "token": "t"}}),
        (
            "OAUTH2",
            {"type": "OAUTH2", "access_token": "a", "refresh_token": "r", "expires_in": 3600},
        ),
        ("NO_AUTH", {"type": "NO_AUTH"}),
    ]
    for index, (kind, value) in enumerate(values):
        response = await api.post(
            "/app-connections",
            json=body(owner, externalId=f"c{index}", type=kind, value=value),
            headers=owner.headers,
        )
        assert response.status_code == 201, response.text


async def test_other_projects_cannot_see_or_delete_it(api: httpx.AsyncClient, owner: User) -> None:
    created = (await api.post("/app-connections", json=body(owner), headers=owner.headers)).json()
    project = (
        await api.post("/projects", json={"displayName": "Other"}, headers=owner.headers)
    ).json()
    other = await api.get(
        "/app-connections", params={"projectId": project["id"]}, headers=owner.headers
    )
    assert other.json()["data"] == []
    foreign = await api.get("/app-connections", params={"projectId": "nope"}, headers=owner.headers)
    assert foreign.status_code == 404
    assert created["projectId"] == owner.project_id


async def test_runs_use_the_projects_connections_without_recording_them(
    api: httpx.AsyncClient, owner: User
) -> None:
    await api.post("/app-connections", json=body(owner), headers=owner.headers)
    step = code(
        "step_1",
        "export const code = async (inputs) => ({ starts: inputs.key.slice(0, 3) })",
        key="{{connections['openai'].secret_text}}",
    )
    flow_id = await publish(
        api, owner, flow(step, respond("step_2", body="{{step_1}}")).model_dump(mode="json")
    )
    response = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert response.json() == {"starts": "sk-"}
    run = await api.get(
        f"/flow-runs/{response.headers['x-piecework-run-id']}", headers=owner.headers
    )
    assert run.json()["steps"]["step_1"]["input"] == {"key": "**REDACTED**"}
    assert SECRET not in run.text
