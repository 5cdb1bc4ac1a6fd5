"""Audit events: what flows, folders, connections, runs and sign-ins record, for platform admins."""

import httpx

from tests.server.conftest import User, sign_up
from tests.server.helpers import create, publish, sample
from tests.server.test_members import invite


async def _actions(api: httpx.AsyncClient, owner: User, **params: str) -> list[str]:
    response = await api.get(
        "/audit-events", params={"limit": 100, **params}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    return [event["action"] for event in response.json()["data"]]


async def test_changes_and_runs_are_recorded_newest_first(
    api: httpx.AsyncClient, owner: User
) -> None:
    folder = (
        await api.post(
            "/folders",
            json={"displayName": "Ops", "projectId": owner.project_id},
            headers=owner.headers,
        )
    ).json()
    await api.post(f"/folders/{folder['id']}", json={"displayName": "Ops 2"}, headers=owner.headers)
    await api.delete(f"/folders/{folder['id']}", headers=owner.headers)
    connection = {
        "externalId": "key",
        "displayName": "Key",
        "pieceName": "openai",
        "projectId": owner.project_id,
        "type": "SECRET_TEXT",
        "value": {"type": "SECRET_TEXT", "secret_text": "s3cr3t-value"},
    }
    created = (await api.post("/app-connections", json=connection, headers=owner.headers)).json()
    await api.delete(f"/app-connections/{created['id']}", headers=owner.headers)
    flow_id = await publish(api, owner, sample())
    await api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 2})
    await api.delete(f"/flows/{flow_id}", headers=owner.headers)
    actions = await _actions(api, owner)
    assert actions == [
        "flow.deleted",
        "flow.run.finished",
        "flow.run.started",
        "flow.published",
        "flow.updated",
        "flow.created",
        "connection.deleted",
        "connection.upserted",
        "folder.deleted",
        "folder.updated",
        "folder.created",
        "user.signed.up",
    ]
    listed = await api.get("/audit-events", params={"limit": 100}, headers=owner.headers)
    assert "s3cr3t-value" not in listed.text
    first = listed.json()["data"][-1]
    assert (first["userId"], first["userEmail"], first["projectId"]) == (
        owner.id,
        "owner@example.com",
        owner.project_id,
    )
    assert await _actions(api, owner, action="flow.run.finished") == ["flow.run.finished"]


async def test_sign_ins_are_recorded_and_members_cannot_read_the_log(
    api: httpx.AsyncClient, owner: User
) -> None:
    await invite(api, owner, "eve@example.com", "ADMIN")
    eve = await sign_up(api, email="eve@example.com")
    await api.post(
        "/authentication/sign-in", json={"email": "eve@example.com", "password": "correct horse"}
    )
    assert await _actions(api, owner, userId=eve.id) == ["user.signed.in", "user.signed.up"]
    assert (await api.get("/audit-events", headers=eve.headers)).status_code == 403
    await create(api, owner)
    paged = (await api.get("/audit-events", params={"limit": 2}, headers=owner.headers)).json()
    assert len(paged["data"]) == 2
    assert paged["next"]
    bad = await api.get("/audit-events", params={"action": "nope"}, headers=owner.headers)
    assert bad.status_code == 400
