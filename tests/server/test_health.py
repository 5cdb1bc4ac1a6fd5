"""GET /api/v1/health."""

import httpx


async def test_health_is_ok_without_authentication(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_unknown_route_is_a_json_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "code": "HTTP_404",
        "message": "There is nothing at this address",
        "params": {},
    }


async def test_values_the_database_cannot_store_are_400(api: httpx.AsyncClient) -> None:
    signed_up = await api.post(
        "/authentication/sign-up", json={"email": "a@b.co", "password": "long enough"}
    )
    headers = {"Authorization": f"Bearer {signed_up.json()['token']}"}
    response = await api.get("/flow-runs", params={"projectId": "\x00"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_VALUE"
    assert "NUL" in response.json()["message"]
