"""The pieces API: list, search, metadata at a version, versions, hiding per project."""

import httpx

from tests.server.conftest import User, sign_up
from tests.server.test_members import invite


async def test_pieces_are_listed_and_searchable(api: httpx.AsyncClient, owner: User) -> None:
    listed = (await api.get("/pieces", headers=owner.headers)).json()["data"]
    names = {p["name"] for p in listed}
    assert {"webhook", "schedule", "http", "store", "csv"} <= names
    webhook = next(p for p in listed if p["name"] == "webhook")
    assert webhook["actions"] >= 1
    assert webhook["triggers"] >= 1
    found = (await api.get("/pieces", params={"searchQuery": "CSV"}, headers=owner.headers)).json()[
        "data"
    ]
    assert [p["name"] for p in found] == ["csv"]


async def test_metadata_describes_props_for_the_desktop(
    api: httpx.AsyncClient, owner: User
) -> None:
    metadata = (await api.get("/pieces/webhook", headers=owner.headers)).json()
    assert metadata["name"] == "webhook"
    assert "return_response" in metadata["actions"]
    assert "status" in metadata["actions"]["return_response"]["props"]
    pinned = await api.get(
        "/pieces/webhook", params={"version": metadata["version"]}, headers=owner.headers
    )
    assert pinned.json() == metadata


async def test_unknown_pieces_and_versions_are_404_with_what_exists(
    api: httpx.AsyncClient, owner: User
) -> None:
    missing = await api.get("/pieces/nope", headers=owner.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "PIECE_NOT_FOUND"
    versions = (await api.get("/pieces/webhook/versions", headers=owner.headers)).json()["data"]
    wrong = await api.get("/pieces/webhook", params={"version": "9.9.9"}, headers=owner.headers)
    assert wrong.status_code == 404
    assert versions[0] in wrong.json()["message"]


async def test_pieces_need_a_signed_in_caller(api: httpx.AsyncClient) -> None:
    assert (await api.get("/pieces")).status_code == 401


async def test_project_admins_hide_pieces_from_their_project(
    api: httpx.AsyncClient, owner: User
) -> None:
    where = f"/projects/{owner.project_id}/hidden-pieces"
    hidden = await api.post(where, json={"pieceName": "csv", "hidden": True}, headers=owner.headers)
    assert hidden.json() == {"data": ["csv"]}
    listed = await api.get("/pieces", params={"projectId": owner.project_id}, headers=owner.headers)
    assert "csv" not in {p["name"] for p in listed.json()["data"]}
    everything = await api.get("/pieces", headers=owner.headers)
    assert "csv" in {p["name"] for p in everything.json()["data"]}
    await invite(api, owner, "eve@example.com", "EDITOR")
    eve = await sign_up(api, email="eve@example.com")
    assert (await api.get(where, headers=eve.headers)).json() == {"data": ["csv"]}
    denied = await api.post(where, json={"pieceName": "csv", "hidden": False}, headers=eve.headers)
    assert denied.status_code == 403
    unknown = await api.post(
        where, json={"pieceName": "nope", "hidden": True}, headers=owner.headers
    )
    assert unknown.status_code == 404
    shown = await api.post(where, json={"pieceName": "csv", "hidden": False}, headers=owner.headers)
    assert shown.json() == {"data": []}
    other = await api.post("/projects", json={"displayName": "X"}, headers=owner.headers)
    foreign = await api.get(f"/projects/{other.json()['id']}/hidden-pieces", headers=eve.headers)
    assert foreign.status_code == 404
