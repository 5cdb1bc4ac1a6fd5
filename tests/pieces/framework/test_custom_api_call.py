"""custom_api_call: paths under the base URL, the auth mapping applied, other hosts refused."""

from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import NetworkPolicy, PieceError
from pieces.framework.custom_api_call import custom_api_call
from pieces.framework.testing import run_action
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))


def _answer(request: Received) -> Reply:
    if request.path.startswith("/api/missing"):
        return Reply.json({"error": "nope"}, status=404)
    return Reply.json(
        {
            "path": request.path,
            "auth": request.headers.get("authorization"),
            "body": request.body.decode(),
        }
    )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        yield running


async def _bearer(auth: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {auth}"}


def _action(server: LocalServer) -> Any:
    return custom_api_call(base_url=lambda auth: f"{server.url}/api/", auth_mapping=_bearer)


async def test_relative_path_goes_under_the_base_with_auth(server: LocalServer) -> None:
    props = {"url": "/items", "method": "POST", "queryParams": {"a": 1}, "body": {"x": 1}}
    result = await run_action(_action(server), props, auth="tok", network=LOCAL)
    assert result.output["body"] == {
        "path": "/api/items?a=1",
        "auth": "Bearer tok",
        "body": '{"x":1}',
    }


async def test_urls_outside_the_base_are_refused(server: LocalServer) -> None:
    with pytest.raises(PieceError, match="is not under this API's base URL"):
        await run_action(
            _action(server), {"url": "https://evil.example/api"}, auth="t", network=LOCAL
        )
    with pytest.raises(PieceError, match="is not under"):
        await run_action(_action(server), {"url": f"{server.url}/apix"}, auth="t", network=LOCAL)
    assert server.received == []


async def test_error_status_fails_or_is_returned(server: LocalServer) -> None:
    with pytest.raises(PieceError, match="answered 404"):
        await run_action(_action(server), {"url": "missing"}, auth="t", network=LOCAL)
    result = await run_action(
        _action(server), {"url": "missing", "failureMode": "none"}, auth="t", network=LOCAL
    )
    assert result.output["status"] == 404
    assert result.output["body"] == {"error": "nope"}
