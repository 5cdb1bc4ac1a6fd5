"""Isolation: a user of project B gets 404 for project A's resources (never their content)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import publish, sample


@dataclass
class World:
    api: httpx.AsyncClient
    alice: User
    bob: User
    flow_id: str
    run_id: str
    file_id: str
    connection_id: str
    folder_id: str
    template_id: str


@pytest.fixture
async def world(tmp_path: Path, database_url: str) -> AsyncIterator[World]:
    async with serve_app(tmp_path, database_url, allow_sign_up=True) as api:
        alice = await sign_up(api, "alice@example.com")
        bob = await sign_up(api, "bob@example.com")
        assert alice.project_id != bob.project_id
        flow_id = await publish(api, alice, sample())
        run = await api.post(f"/webhooks/{flow_id}/sync", json={"a": 1, "b": 2})
        run_id = run.headers["x-piecework-run-id"]
        file = await api.post(
            "/files",
            params={"projectId": alice.project_id, "name": "a.txt"},
            content=b"alice's file",
            headers=alice.headers,
        )
        await api.post(
            "/store-entries",
            json={"projectId": alice.project_id, "key": "secret", "value": "alice's value"},
            headers=alice.headers,
        )
        await api.post(
            "/sample-data",
            json={"flowId": flow_id, "stepName": "step_1", "data": {"sum": 3}},
            headers=alice.headers,
        )
        connection = await api.post(
            "/app-connections",
            json={
                "externalId": "key",
                "displayName": "Key",
                "pieceName": "acme_api",  # a piece that is not installed: values are not checked
                "projectId": alice.project_id,
                "type": "SECRET_TEXT",
                "value": {"type": "SECRET_TEXT", "secret_text": "alice-secret"},
            },
            headers=alice.headers,
        )
        folder = await api.post(
            "/folders",
            json={"displayName": "Alice's", "projectId": alice.project_id},
            headers=alice.headers,
        )
        template = await api.post("/templates", json={"flowId": flow_id}, headers=alice.headers)
        yield World(
            api=api,
            alice=alice,
            bob=bob,
            flow_id=flow_id,
            run_id=run_id,
            file_id=file.json()["id"],
            connection_id=connection.json()["id"],
            folder_id=folder.json()["id"],
            template_id=template.json()["id"],
        )


async def test_another_projects_resources_are_not_found(world: World) -> None:
    api, a, bob = world.api, world.alice.project_id, world.bob.headers
    flow, run = world.flow_id, world.run_id
    attempts = {
        "read flow": api.get(f"/flows/{flow}", headers=bob),
        "edit flow": api.post(
            f"/flows/{flow}",
            json={"type": "CHANGE_NAME", "request": {"displayName": "x"}},
            headers=bob,
        ),
        "delete flow": api.delete(f"/flows/{flow}", headers=bob),
        "read run": api.get(f"/flow-runs/{run}", headers=bob),
        "list runs": api.get("/flow-runs", params={"projectId": a}, headers=bob),
        "rename folder": api.post(
            f"/folders/{world.folder_id}", json={"displayName": "x"}, headers=bob
        ),
        "delete connection": api.delete(f"/app-connections/{world.connection_id}", headers=bob),
        "validate connection": api.post(
            f"/app-connections/{world.connection_id}/validate", headers=bob
        ),
        "read store entry": api.get(
            "/store-entries", params={"projectId": a, "key": "secret"}, headers=bob
        ),
        "put store entry": api.post(
            "/store-entries", json={"projectId": a, "key": "secret", "value": 1}, headers=bob
        ),
        "delete store entry": api.delete(
            "/store-entries", params={"projectId": a, "key": "secret"}, headers=bob
        ),
        "download file": api.get(f"/files/{world.file_id}", headers=bob),
        "list run files": api.get("/files", params={"runId": run}, headers=bob),
        "upload file": api.post(
            "/files", params={"projectId": a, "name": "x"}, content=b"x", headers=bob
        ),
        "delete file": api.delete(f"/files/{world.file_id}", headers=bob),
        "read sample data": api.get(
            "/sample-data", params={"flowId": flow, "stepName": "step_1"}, headers=bob
        ),
        "list sample data": api.get("/sample-data/steps", params={"flowId": flow}, headers=bob),
        "save sample data": api.post(
            "/sample-data", json={"flowId": flow, "stepName": "step_1", "data": 1}, headers=bob
        ),
        "template from flow": api.post("/templates", json={"flowId": flow}, headers=bob),
        "flow from template into project": api.post(
            f"/templates/{world.template_id}/flows", json={"projectId": a}, headers=bob
        ),
        "piece options": api.post(
            "/pieces/options",
            json={
                "projectId": a,
                "pieceName": "store",
                "actionOrTriggerName": "get",
                "propertyName": "key",
            },
            headers=bob,
        ),
        "oauth2 start": api.post(
            "/app-connections/oauth2/authorize",
            json={
                "projectId": a,
                "pieceName": "x",
                "externalId": "x",
                "displayName": "x",
                "clientId": "x",
                "redirectUrl": "http://127.0.0.1/cb",
            },
            headers=bob,
        ),
    }
    for name, attempt in attempts.items():
        response = await attempt
        assert response.status_code == 404, (name, response.status_code, response.text)
        for secret in ("alice's value", "alice's file", "alice-secret", "Alice's"):
            assert secret not in response.text, name
    flows = await api.get("/flows", params={"projectId": world.bob.project_id}, headers=bob)
    assert flows.json()["data"] == []


async def test_platform_resources_need_a_platform_admin(world: World) -> None:
    api, bob = world.api, world.bob.headers
    assert (await api.get("/audit-events", headers=bob)).status_code == 403
    assert (await api.get("/users", headers=bob)).status_code == 403
    deleted = await api.delete(f"/users/{world.alice.id}", headers=bob)
    assert deleted.status_code == 403
    assert (await api.delete(f"/templates/{world.template_id}", headers=bob)).status_code == 403
