"""Invitations, members and projects."""

import httpx

from tests.server.conftest import User, sign_up


async def invite(api: httpx.AsyncClient, owner: User, email: str, role: str) -> httpx.Response:
    body = {"email": email, "type": "PROJECT", "projectId": owner.project_id, "projectRole": role}
    return await api.post("/user-invitations", json=body, headers=owner.headers)


async def test_invited_email_can_sign_up_and_joins_with_its_role(
    api: httpx.AsyncClient, owner: User
) -> None:
    invited = await invite(api, owner, "Eve@Example.com", "EDITOR")
    assert invited.status_code == 201
    assert invited.json()["status"] == "PENDING"
    assert invited.json()["email"] == "eve@example.com"
    eve = await sign_up(api, email="eve@example.com")
    assert eve.project_id == owner.project_id
    members = (
        await api.get(
            "/project-members", params={"projectId": owner.project_id}, headers=eve.headers
        )
    ).json()
    assert [(m["email"], m["role"]) for m in members["data"]] == [
        ("owner@example.com", "ADMIN"),
        ("eve@example.com", "EDITOR"),
    ]
    invitations = (
        await api.get(
            "/user-invitations", params={"projectId": owner.project_id}, headers=owner.headers
        )
    ).json()
    assert invitations["data"][0]["status"] == "ACCEPTED"


async def test_uninvited_sign_up_stays_closed(api: httpx.AsyncClient, owner: User) -> None:
    await invite(api, owner, "eve@example.com", "VIEWER")
    response = await api.post(
        "/authentication/sign-up", json={"email": "mallory@example.com", "password": "long enough"}
    )
    assert response.status_code == 403


async def test_admin_changes_roles_and_removes_members_but_not_the_owner(
    api: httpx.AsyncClient, owner: User
) -> None:
    await invite(api, owner, "eve@example.com", "VIEWER")
    eve = await sign_up(api, email="eve@example.com")
    members = (
        await api.get(
            "/project-members", params={"projectId": owner.project_id}, headers=owner.headers
        )
    ).json()["data"]
    owner_member, eve_member = members
    promoted = await api.post(
        f"/project-members/{eve_member['id']}", json={"role": "operator"}, headers=owner.headers
    )
    assert promoted.json()["role"] == "OPERATOR"
    bad_role = await api.post(
        f"/project-members/{eve_member['id']}", json={"role": "BOSS"}, headers=owner.headers
    )
    assert bad_role.status_code == 400
    assert "choose one of ADMIN, EDITOR, OPERATOR, VIEWER" in bad_role.json()["message"]
    demote_owner = await api.post(
        f"/project-members/{owner_member['id']}", json={"role": "VIEWER"}, headers=owner.headers
    )
    assert demote_owner.status_code == 400
    assert demote_owner.json()["code"] == "PROJECT_OWNER"
    removed = await api.delete(f"/project-members/{eve_member['id']}", headers=owner.headers)
    assert removed.status_code == 204
    gone = await api.get("/flows", params={"projectId": owner.project_id}, headers=eve.headers)
    assert gone.status_code == 404


async def test_inviting_an_existing_account_adds_it_at_once(
    api: httpx.AsyncClient, owner: User
) -> None:
    project = (
        await api.post("/projects", json={"displayName": "Second"}, headers=owner.headers)
    ).json()
    assert project["role"] == "ADMIN"
    body = {
        "email": "owner@example.com",
        "type": "PROJECT",
        "projectId": project["id"],
        "projectRole": "VIEWER",
    }
    # The owner is already an admin there; re-inviting changes nothing but the invitation's record.
    response = await api.post("/user-invitations", json=body, headers=owner.headers)
    assert response.json()["status"] == "ACCEPTED"
    projects = (await api.get("/projects", headers=owner.headers)).json()["data"]
    assert {p["displayName"] for p in projects} == {"Ada's project", "Second"}


async def test_withdrawn_invitation_no_longer_lets_anyone_sign_up(
    api: httpx.AsyncClient, owner: User
) -> None:
    invitation = (await invite(api, owner, "eve@example.com", "VIEWER")).json()
    assert (
        await api.delete(f"/user-invitations/{invitation['id']}", headers=owner.headers)
    ).status_code == 204
    response = await api.post(
        "/authentication/sign-up", json={"email": "eve@example.com", "password": "long enough"}
    )
    assert response.status_code == 403
