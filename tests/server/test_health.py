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
