"""API keys: shown once, stored hashed, usable as bearer tokens, revocable; owners only."""

from pathlib import Path

import httpx
import psycopg

from tests.server.conftest import User, serve_app, sign_up


async def test_key_is_shown_once_and_works_as_a_bearer_token(
    api: httpx.AsyncClient, owner: User
) -> None:
    created = await api.post("/api-keys", json={"displayName": "CI"}, headers=owner.headers)
    assert created.status_code == 201
    value = created.json()["value"]
    assert value.startswith("pw_")
    assert created.json()["truncatedValue"] == value[-4:]
    listed = await api.get("/api-keys", headers=owner.headers)
    assert [k["displayName"] for k in listed.json()["data"]] == ["CI"]
    assert value not in listed.text
    projects = await api.get("/projects", headers={"Authorization": f"Bearer {value}"})
    assert projects.status_code == 200
    assert projects.json()["data"][0]["id"] == owner.project_id
    after_use = await api.get("/api-keys", headers=owner.headers)
    assert after_use.json()["data"][0]["lastUsed"] is not None


async def test_only_the_hash_is_stored(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    value = (await api.post("/api-keys", json={"displayName": "x"}, headers=owner.headers)).json()[
        "value"
    ]
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        rows = await (await conn.execute("SELECT * FROM api_keys")).fetchall()
    assert value not in repr(rows)


async def test_deleted_key_stops_working(api: httpx.AsyncClient, owner: User) -> None:
    created = (
        await api.post("/api-keys", json={"displayName": "temp"}, headers=owner.headers)
    ).json()
    deleted = await api.delete(f"/api-keys/{created['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    response = await api.get("/projects", headers={"Authorization": f"Bearer {created['value']}"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_API_KEY"
    again = await api.delete(f"/api-keys/{created['id']}", headers=owner.headers)
    assert again.status_code == 404


async def test_members_cannot_manage_keys(tmp_path: Path, database_url: str) -> None:
    async with serve_app(tmp_path, database_url, allow_sign_up=True, run_worker=False) as client:
        await sign_up(client)
        member = await sign_up(client, email="member@example.com")
        response = await client.post(
            "/api-keys", json={"displayName": "mine"}, headers=member.headers
        )
        assert response.status_code == 403
        assert (await client.get("/api-keys", headers=member.headers)).status_code == 403
