"""Send HTTP Request against a real local server: methods, bodies, auth, errors, redirects, files."""

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import (
    BlockedAddressError,
    InMemoryFiles,
    NetworkPolicy,
    PieceError,
    PropsValidationError,
)
from pieces.framework.testing import ActionResult, run_action
from pieces.http.actions import send_request as send_request_module
from pieces.http.actions.send_request import send_request
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))


def _answer(request: Received) -> Reply:
    path = request.path.split("?", 1)[0]
    if path.startswith("/status/"):
        code = int(path.rsplit("/", 1)[1])
        return Reply(status=code, body=f"status {code} body".encode())
    if path == "/slow":
        time.sleep(1.0)
    if path == "/redirect":
        return Reply(status=302, headers={"Location": "/echo?from=redirect"})
    if path == "/loop":
        return Reply(status=302, headers={"Location": "/loop"})
    if path == "/text":
        return Reply(headers={"Content-Type": "text/plain"}, body=b"plain words")
    if path == "/file.bin":
        return Reply(headers={"Content-Type": "application/octet-stream"}, body=b"\x00\x01binary")
    return Reply.json(
        {
            "method": request.method,
            "path": request.path,
            "headers": request.headers,
            "body": request.body.decode("latin-1"),
        }
    )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        yield running


async def _send(props: dict[str, Any], **kwargs: Any) -> ActionResult:
    return await run_action(send_request, props, network=LOCAL, **kwargs)


async def test_get_with_query_params_and_headers(server: LocalServer) -> None:
    result = await _send(
        {"url": f"{server.url}/echo", "queryParams": {"q": "a b", "n": 1}, "headers": {"X-Id": 7}}
    )
    assert result.output["status"] == 200
    echoed = result.output["body"]
    assert echoed["method"] == "GET"
    assert echoed["path"] == "/echo?q=a+b&n=1"
    assert echoed["headers"]["x-id"] == "7"


@pytest.mark.parametrize(
    ("body_type", "body", "content_type", "sent"),
    [
        ("json", '{"a": [1, 2]}', "application/json", '{"a":[1,2]}'),
        ("json", {"a": 1}, "application/json", '{"a":1}'),
        ("form", {"name": "Ada", "n": 2}, "application/x-www-form-urlencoded", "name=Ada&n=2"),
        ("raw", "just text", None, "just text"),
    ],
)
async def test_body_types_are_encoded(
    server: LocalServer, body_type: str, body: Any, content_type: str | None, sent: str
) -> None:
    props = {"url": f"{server.url}/echo", "method": "POST", "body_type": body_type, "body": body}
    echoed = (await _send(props)).output["body"]
    assert echoed["body"].replace(" ", "") == sent.replace(" ", "")
    if content_type:
        assert echoed["headers"]["content-type"] == content_type


async def test_multipart_sends_fields_and_file_references(server: LocalServer) -> None:
    files = InMemoryFiles()
    reference = await files.write(name="report.csv", data=b"a,b\n1,2\n")
    props = {
        "url": f"{server.url}/echo",
        "method": "POST",
        "body_type": "multipart",
        "body": {"title": "Q1", "attachment": reference},
    }
    echoed = (await _send(props, files=files)).output["body"]
    assert echoed["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert 'name="title"\r\n\r\nQ1\r\n' in echoed["body"]
    assert 'name="attachment"; filename="report.csv"' in echoed["body"]
    assert "a,b\n1,2\n" in echoed["body"]


async def test_basic_and_bearer_auth_set_the_authorization_header(server: LocalServer) -> None:
    basic = await _send(
        {
            "url": f"{server.url}/echo",
            "authType": "BASIC",
            "authFields": {"username": "ada", "password": "pw"},
        }
    )
    expected = "Basic " + base64.b64encode(b"ada:pw").decode()
    assert basic.output["body"]["headers"]["authorization"] == expected
    bearer = await _send(
        {"url": f"{server.url}/echo", "authType": "BEARER_TOKEN", "authFields": {"token": "t0k"}}
    )
    assert bearer.output["body"]["headers"]["authorization"] == "Bearer t0k"
    with pytest.raises(PropsValidationError) as caught:
        await _send({"url": f"{server.url}/echo", "authType": "BEARER_TOKEN"})
    assert caught.value.errors == {"authFields": "Authentication fields: token: Token is required"}


async def test_error_status_fails_or_returns_by_failure_mode(server: LocalServer) -> None:
    url = f"{server.url}/status/404"
    with pytest.raises(
        PieceError, match=r"GET .*/status/404 answered 404 Not Found: status 404 body"
    ):
        await _send({"url": url})
    assert (await _send({"url": url, "failureMode": "5xx"})).output["status"] == 404
    returned = await _send({"url": f"{server.url}/status/503", "failureMode": "none"})
    assert returned.output["body"] == "status 503 body"
    with pytest.raises(PieceError, match="answered 503"):
        await _send({"url": f"{server.url}/status/503", "failureMode": "5xx"})


async def test_timeout_is_a_clear_step_error(server: LocalServer) -> None:
    with pytest.raises(PieceError, match=r"/slow timed out after 0\.2 s"):
        await _send({"url": f"{server.url}/slow", "timeout": 0.2})


async def test_redirects_are_followed_or_returned(server: LocalServer) -> None:
    followed = await _send({"url": f"{server.url}/redirect"})
    assert followed.output["body"]["path"] == "/echo?from=redirect"
    kept = await _send({"url": f"{server.url}/redirect", "followRedirects": False})
    assert kept.output["status"] == 302
    assert kept.output["headers"]["location"] == "/echo?from=redirect"
    with pytest.raises(PieceError, match="too many redirects"):
        await _send({"url": f"{server.url}/loop"})


async def test_response_as_text_json_fallback_and_file(server: LocalServer) -> None:
    assert (await _send({"url": f"{server.url}/text"})).output["body"] == "plain words"
    as_text = await _send({"url": f"{server.url}/echo", "responseType": "text"})
    assert json.loads(as_text.output["body"])["method"] == "GET"
    files = InMemoryFiles()
    as_file = await _send({"url": f"{server.url}/file.bin", "responseType": "file"}, files=files)
    stored = await files.read(as_file.output["body"])
    assert (stored.name, stored.data) == ("file.bin", b"\x00\x01binary")


async def test_strict_policy_refuses_the_local_server(server: LocalServer) -> None:
    with pytest.raises(BlockedAddressError, match="are blocked"):
        await run_action(send_request, {"url": f"{server.url}/echo"})
    assert server.received == []


async def test_bad_input_names_the_prop() -> None:
    with pytest.raises(PropsValidationError) as caught:
        await run_action(send_request, {"url": "ftp://x", "method": "FETCH", "timeout": 0})
    assert caught.value.errors == {
        "url": "URL must be an http(s) URL, got 'ftp://x'",
        "method": "Method 'FETCH' is not one of 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'",
        "timeout": "Timeout (seconds) must be at least 0.001, got 0",
    }


async def test_invalid_json_body_says_what_to_do(server: LocalServer) -> None:
    props = {"url": f"{server.url}/echo", "method": "POST", "body_type": "json", "body": "{nope"}
    with pytest.raises(PieceError, match="choose the Raw body type"):
        await _send(props)


async def test_oversized_response_fails_without_reading_it_all(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send_request_module, "MAX_RESPONSE_BYTES", 16)
    with pytest.raises(PieceError, match="the response is larger than 0 MB"):
        await _send({"url": f"{server.url}/echo"})
    small = await _send(
        {"url": f"{server.url}/text"},
    )
    assert small.output["body"] == "plain words"
