"""Folders, moving flows between them, and listing flows by folder, status and name."""

import httpx

from tests.server.conftest import User
from tests.server.helpers import create, publish, sample


async def new_folder(api: httpx.AsyncClient, owner: User, name: str) -> dict[str, object]:
    response = await api.post(
        "/folders", json={"displayName": name, "projectId": owner.project_id}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    folder: dict[str, object] = response.json()
    return folder


async def test_flows_move_into_folders_and_are_listed_by_folder(
    api: httpx.AsyncClient, owner: User
) -> None:
    sales = await new_folder(api, owner, "Sales")
    await new_folder(api, owner, "Ops")
    inside = await api.post(
        "/flows",
        json={"displayName": "Lead", "projectId": owner.project_id, "folderId": sales["id"]},
        headers=owner.headers,
    )
    assert inside.json()["folderId"] == sales["id"]
    loose = await create(api, owner, "Loose")
    moved = await api.post(
        f"/flows/{loose['id']}",
        json={"type": "CHANGE_FOLDER", "request": {"folderId": sales["id"]}},
        headers=owner.headers,
    )
    assert moved.json()["folderId"] == sales["id"]
    listed = await api.get(
        "/flows",
        params={"projectId": owner.project_id, "folderId": str(sales["id"])},
        headers=owner.headers,
    )
    assert {f["version"]["displayName"] for f in listed.json()["data"]} == {"Lead", "Loose"}
    folders = (
        await api.get("/folders", params={"projectId": owner.project_id}, headers=owner.headers)
    ).json()["data"]
    assert [(f["displayName"], f["numberOfFlows"]) for f in folders] == [("Ops", 0), ("Sales", 2)]


async def test_deleting_a_folder_keeps_its_flows(api: httpx.AsyncClient, owner: User) -> None:
    folder = await new_folder(api, owner, "Temp")
    flow = (
        await api.post(
            "/flows",
            json={
                "displayName": "Keep me",
                "projectId": owner.project_id,
                "folderId": folder["id"],
            },
            headers=owner.headers,
        )
    ).json()
    assert (await api.delete(f"/folders/{folder['id']}", headers=owner.headers)).status_code == 204
    after = (await api.get(f"/flows/{flow['id']}", headers=owner.headers)).json()
    assert after["folderId"] is None


async def test_folder_names_are_unique_per_project(api: httpx.AsyncClient, owner: User) -> None:
    await new_folder(api, owner, "Same")
    again = await api.post(
        "/folders",
        json={"displayName": "Same", "projectId": owner.project_id},
        headers=owner.headers,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "FOLDER_EXISTS"
    other = await new_folder(api, owner, "Other")
    rename = await api.post(
        f"/folders/{other['id']}", json={"displayName": "Same"}, headers=owner.headers
    )
    assert rename.status_code == 409
    renamed = await api.post(
        f"/folders/{other['id']}", json={"displayName": "Renamed"}, headers=owner.headers
    )
    assert renamed.json()["displayName"] == "Renamed"


async def test_moving_into_a_folder_of_another_project_is_404(
    api: httpx.AsyncClient, owner: User
) -> None:
    project = (
        await api.post("/projects", json={"displayName": "Elsewhere"}, headers=owner.headers)
    ).json()
    foreign = (
        await api.post(
            "/folders", json={"displayName": "F", "projectId": project["id"]}, headers=owner.headers
        )
    ).json()
    flow = await create(api, owner)
    response = await api.post(
        f"/flows/{flow['id']}",
        json={"type": "CHANGE_FOLDER", "request": {"folderId": foreign["id"]}},
        headers=owner.headers,
    )
    assert response.status_code == 404
    assert response.json()["code"] == "FOLDER_NOT_FOUND"


async def test_flows_are_filtered_by_status_and_name(api: httpx.AsyncClient, owner: User) -> None:

    await publish(api, owner, sample())
    await create(api, owner, "Weekly 100% report")
    base = {"projectId": owner.project_id}
    enabled = (
        await api.get("/flows", params={**base, "status": "ENABLED"}, headers=owner.headers)
    ).json()["data"]
    assert [f["version"]["displayName"] for f in enabled] == ["Add two numbers (webhook)"]
    named = (
        await api.get("/flows", params={**base, "name": "100%"}, headers=owner.headers)
    ).json()["data"]
    assert [f["version"]["displayName"] for f in named] == ["Weekly 100% report"]
    none = (await api.get("/flows", params={**base, "name": "%"}, headers=owner.headers)).json()[
        "data"
    ]
    assert len(none) == 1
