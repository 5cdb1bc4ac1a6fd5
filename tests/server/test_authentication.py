"""Sign-up, sign-in and bearer tokens."""

from pathlib import Path

import httpx
import jwt
import pytest

from tests.server.conftest import User, serve_app, sign_up


async def test_first_user_owns_the_platform_and_a_project(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/authentication/sign-up",
        json={
            "email": "Ada@Example.com",
            "password": "correct horse",
            "firstName": "Ada",
            "trackEvents": True,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["platformRole"] == "OWNER"
    assert body["projectId"]
    assert "password" not in response.text
    projects = await api.get("/projects", headers={"Authorization": f"Bearer {body['token']}"})
    assert [p["id"] for p in projects.json()["data"]] == [body["projectId"]]
    assert projects.json()["data"][0]["role"] == "ADMIN"


async def test_sign_in_returns_a_token_for_the_same_project(
    api: httpx.AsyncClient, owner: User
) -> None:
    response = await api.post(
        "/authentication/sign-in", json={"email": "owner@example.com", "password": "correct horse"}
    )
    assert response.status_code == 200
    assert response.json()["projectId"] == owner.project_id
    assert response.json()["token"]


@pytest.mark.parametrize("email", ["owner@example.com", "nobody@example.com"])
async def test_wrong_credentials_are_401_with_the_same_message(
    api: httpx.AsyncClient, owner: User, email: str
) -> None:
    response = await api.post(
        "/authentication/sign-in", json={"email": email, "password": "wrong password"}
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "INVALID_CREDENTIALS",
        "message": "Wrong email or password",
        "params": {},
    }


async def test_second_sign_up_is_closed_by_default(api: httpx.AsyncClient, owner: User) -> None:
    response = await api.post(
        "/authentication/sign-up", json={"email": "eve@example.com", "password": "long enough"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "SIGN_UP_DISABLED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "not-an-email", "password": "long enough"}, "Enter a valid email address"),
        ({"email": "a@b.co", "password": "short"}, "at least 8 characters"),
    ],
)
async def test_bad_sign_up_input_is_explained(
    api: httpx.AsyncClient, body: dict[str, str], message: str
) -> None:
    response = await api.post("/authentication/sign-up", json=body)
    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_missing_body_field_is_a_400_naming_it(api: httpx.AsyncClient) -> None:
    response = await api.post("/authentication/sign-in", json={"email": "a@b.co"})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "body.password" in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}],
)
async def test_protected_routes_need_a_valid_token(
    api: httpx.AsyncClient, owner: User, headers: dict[str, str]
) -> None:
    response = await api.get("/projects", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "params"}
    assert "Traceback" not in response.text


async def test_token_signed_with_another_secret_is_refused(
    api: httpx.AsyncClient, owner: User
) -> None:
    claims = jwt.decode(owner.token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    response = await api.get("/projects", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"


async def test_unknown_project_is_404(api: httpx.AsyncClient, owner: User) -> None:
    response = await api.get("/flows", params={"projectId": "someone-elses"}, headers=owner.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "PROJECT_NOT_FOUND"


async def test_open_sign_up_creates_separate_projects(tmp_path: Path, database_url: str) -> None:
    async with serve_app(tmp_path, database_url, allow_sign_up=True, run_worker=False) as client:
        owner = await sign_up(client)
        eve = await sign_up(client, email="eve@example.com")
        assert eve.project_id != owner.project_id
        again = await client.post(
            "/authentication/sign-up", json={"email": "eve@example.com", "password": "long enough"}
        )
        assert again.status_code == 409
        assert again.json()["code"] == "EXISTING_USER"
        foreign = await client.get(
            "/flows", params={"projectId": eve.project_id}, headers=owner.headers
        )
        assert foreign.status_code == 404


async def test_repeated_wrong_passwords_are_rate_limited(
    api: httpx.AsyncClient, owner: User
) -> None:
    wrong = {"email": "owner@example.com", "password": "not the password"}
    for _ in range(10):
        assert (await api.post("/authentication/sign-in", json=wrong)).status_code == 401
    limited = await api.post("/authentication/sign-in", json=wrong)
    assert limited.status_code == 429
    assert limited.json()["code"] == "TOO_MANY_SIGN_IN_ATTEMPTS"
    right = await api.post(
        "/authentication/sign-in", json={"email": "owner@example.com", "password": "correct horse"}
    )
    assert right.status_code == 429


async def test_successful_sign_in_clears_earlier_failures(
    api: httpx.AsyncClient, owner: User
) -> None:
    wrong = {"email": "owner@example.com", "password": "not the password"}
    for _ in range(9):
        await api.post("/authentication/sign-in", json=wrong)
    assert (
        await api.post(
            "/authentication/sign-in",
            json={"email": "owner@example.com", "password": "correct horse"},
        )
    ).status_code == 200
    for _ in range(9):
        assert (await api.post("/authentication/sign-in", json=wrong)).status_code == 401
