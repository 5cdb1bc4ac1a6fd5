"""Users: the caller's account, the platform list, deactivation, deletion; token refresh."""

from pathlib import Path

import httpx

from tests.server.conftest import User, serve_app, sign_up
from tests.server.test_members import invite


async def _member(api: httpx.AsyncClient, owner: User, email: str = "eve@example.com") -> User:
    await invite(api, owner, email, "EDITOR")
    return await sign_up(api, email=email)


async def test_me_returns_the_callers_account_without_secrets(
    api: httpx.AsyncClient, owner: User
) -> None:
    me = await api.get("/users/me", headers=owner.headers)
    assert me.status_code == 200
    body = me.json()
    assert (body["id"], body["email"], body["platformRole"], body["status"]) == (
        owner.id,
        "owner@example.com",
        "OWNER",
        "ACTIVE",
    )
    assert "password" not in me.text.lower()
    assert (await api.get("/users/me")).status_code == 401


async def test_platform_admins_list_users_and_members_may_not(
    api: httpx.AsyncClient, owner: User
) -> None:
    eve = await _member(api, owner)
    await _member(api, owner, "bob@example.com")
    first = (await api.get("/users", params={"limit": 2}, headers=owner.headers)).json()
    assert [u["email"] for u in first["data"]] == ["bob@example.com", "eve@example.com"]
    assert first["previous"] is None
    rest = (
        await api.get("/users", params={"limit": 2, "cursor": first["next"]}, headers=owner.headers)
    ).json()
    assert [u["email"] for u in rest["data"]] == ["owner@example.com"]
    assert rest["next"] is None
    denied = await api.get("/users", headers=eve.headers)
    assert denied.status_code == 403
    bad = await api.get("/users", params={"cursor": "nonsense!"}, headers=owner.headers)
    assert bad.status_code == 400


async def test_deactivated_user_is_signed_out_and_cannot_sign_in(
    api: httpx.AsyncClient, owner: User
) -> None:
    eve = await _member(api, owner)
    signed_in = await api.post(
        "/authentication/sign-in", json={"email": "eve@example.com", "password": "correct horse"}
    )
    refresh_token = signed_in.json()["refreshToken"]
    off = await api.post(f"/users/{eve.id}", json={"status": "INACTIVE"}, headers=owner.headers)
    assert off.status_code == 200
    assert off.json()["status"] == "INACTIVE"
    assert (await api.get("/users/me", headers=eve.headers)).status_code == 401
    again = await api.post(
        "/authentication/sign-in", json={"email": "eve@example.com", "password": "correct horse"}
    )
    assert (again.status_code, again.json()["code"]) == (401, "USER_INACTIVE")
    refreshed = await api.post("/authentication/refresh", json={"refreshToken": refresh_token})
    assert refreshed.status_code == 401
    on = await api.post(f"/users/{eve.id}", json={"status": "ACTIVE"}, headers=owner.headers)
    assert on.json()["status"] == "ACTIVE"
    back = await api.post(
        "/authentication/sign-in", json={"email": "eve@example.com", "password": "correct horse"}
    )
    assert back.status_code == 200
    # Tokens issued before the deactivation stay revoked.
    assert (await api.get("/users/me", headers=eve.headers)).status_code == 401


async def test_owner_and_self_cannot_be_changed_and_members_cannot_manage(
    api: httpx.AsyncClient, owner: User
) -> None:
    eve = await _member(api, owner)
    own = await api.post(f"/users/{owner.id}", json={"status": "INACTIVE"}, headers=owner.headers)
    assert (own.status_code, own.json()["code"]) == (400, "CANNOT_CHANGE_OWNER")
    by_member = await api.post(
        f"/users/{owner.id}", json={"status": "INACTIVE"}, headers=eve.headers
    )
    assert by_member.status_code == 403
    promoted = await api.post(
        f"/users/{eve.id}", json={"platformRole": "ADMIN"}, headers=owner.headers
    )
    assert promoted.json()["platformRole"] == "ADMIN"
    self_change = await api.post(
        f"/users/{eve.id}", json={"platformRole": "MEMBER"}, headers=eve.headers
    )
    assert self_change.status_code == 400
    unknown = await api.post("/users/nope", json={"status": "ACTIVE"}, headers=owner.headers)
    assert unknown.status_code == 404
    wrong = await api.post(f"/users/{eve.id}", json={"status": "GONE"}, headers=owner.headers)
    assert wrong.status_code == 400


async def test_deleting_a_user_removes_their_sole_projects_but_not_shared_ones(
    api: httpx.AsyncClient, owner: User
) -> None:
    eve = await _member(api, owner)
    created = await api.post(
        f"/users/{eve.id}", json={"platformRole": "ADMIN"}, headers=owner.headers
    )
    assert created.status_code == 200
    project = (
        await api.post("/projects", json={"displayName": "Eve's"}, headers=eve.headers)
    ).json()
    await api.post(
        "/user-invitations",
        json={
            "email": "owner@example.com",
            "type": "PROJECT",
            "projectId": project["id"],
            "projectRole": "VIEWER",
        },
        headers=eve.headers,
    )
    shared = await api.delete(f"/users/{eve.id}", headers=owner.headers)
    assert (shared.status_code, shared.json()["code"]) == (409, "USER_OWNS_SHARED_PROJECT")
    bob = await _member(api, owner, "bob@example.com")
    assert (await api.delete(f"/users/{bob.id}", headers=owner.headers)).status_code == 204
    assert (await api.get("/users/me", headers=bob.headers)).status_code == 401
    assert (await api.delete(f"/users/{bob.id}", headers=owner.headers)).status_code == 404


async def test_refresh_gives_a_new_pair_and_refuses_access_tokens(
    api: httpx.AsyncClient, owner: User
) -> None:
    signed_in = (
        await api.post(
            "/authentication/sign-in",
            json={"email": "owner@example.com", "password": "correct horse"},
        )
    ).json()
    assert signed_in["expiresAt"]
    refreshed = await api.post(
        "/authentication/refresh", json={"refreshToken": signed_in["refreshToken"]}
    )
    assert refreshed.status_code == 200
    pair = refreshed.json()
    assert pair["projectId"] == owner.project_id
    me = await api.get("/users/me", headers={"Authorization": f"Bearer {pair['token']}"})
    assert me.status_code == 200
    as_access = await api.get(
        "/users/me", headers={"Authorization": f"Bearer {pair['refreshToken']}"}
    )
    assert as_access.status_code == 401
    with_access = await api.post("/authentication/refresh", json={"refreshToken": pair["token"]})
    assert with_access.status_code == 401
    forged = await api.post("/authentication/refresh", json={"refreshToken": "a.b.c"})
    assert (forged.status_code, forged.json()["code"]) == (401, "INVALID_TOKEN")


async def test_expired_tokens_are_refused(tmp_path: Path, database_url: str) -> None:
    async with serve_app(tmp_path, database_url, jwt_expiry_hours=1e-9) as api:
        owner = await sign_up(api)
        expired = await api.get("/users/me", headers=owner.headers)
        assert (expired.status_code, expired.json()["code"]) == (401, "TOKEN_EXPIRED")
