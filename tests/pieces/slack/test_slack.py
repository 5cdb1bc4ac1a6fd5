"""Slack against a local server answering with Slack's documented shapes (JSON fixtures)."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import (
    AuthError,
    InMemoryFiles,
    NetworkPolicy,
    OptionsRequest,
    PieceError,
    TriggerContext,
)
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.testing import run_action, run_trigger
from pieces.slack import piece
from pieces.slack.actions.send_direct_message import send_direct_message
from pieces.slack.actions.send_message import send_message
from pieces.slack.actions.upload_file import upload_file
from pieces.slack.client import channel_options, user_options
from pieces.slack.triggers.new_message import new_message
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
TOKEN = "xoxb-good"
BASE: list[str] = []


def _answer(request: Received) -> Reply:
    if request.headers.get("authorization") == "Bearer xoxb-revoked":
        return Reply.json(load("slack", "error_invalid_auth"))
    path, _, query = request.path.partition("?")
    method = path.removeprefix("/api/")
    if path.startswith("/upload/"):
        return Reply(body=b"OK - 12")
    if method == "conversations.list":
        page = "page2" if "cursor=dGVhbTpDMDYxRkE1UEI" in query else "page1"
        return Reply.json(load("slack", f"conversations_list_{page}"))
    if method == "chat.postMessage":
        channel = request.json()["channel"]
        if channel == "C404":
            return Reply.json(load("slack", "error_channel_not_found"))
        if channel == "CSCOPE":
            return Reply.json(load("slack", "error_missing_scope"))
        if channel == "CBUSY":
            reply = Reply.json(load("slack", "error_ratelimited"), status=429)
            reply.headers["Retry-After"] = "30"
            return reply
        if channel == "C500":
            return Reply(status=503, body=b"upstream connect error")
        return Reply.json(load("slack", "chat_postMessage"))
    if method == "files.getUploadURLExternal":
        ticket = load("slack", "files_getUploadURLExternal")
        ticket["upload_url"] = ticket["upload_url"].format(base=BASE[0])
        return Reply.json(ticket)
    fixture = {
        "users.list": "users_list",
        "conversations.open": "conversations_open",
        "files.completeUploadExternal": "files_completeUploadExternal",
    }.get(method)
    if fixture:
        return Reply.json(load("slack", fixture))
    return Reply.json({"ok": False, "error": "unknown_method"}, status=404)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        BASE[:] = [running.url]
        yield running


def _auth(server: LocalServer, token: str = TOKEN, secret: str | None = None) -> dict[str, Any]:
    return {"bot_token": token, "base_url": f"{server.url}/api", "signing_secret": secret}


async def test_send_message_posts_text_blocks_and_thread(server: LocalServer) -> None:
    result = await run_action(
        send_message,
        {
            "channel": "C123ABC456",
            "text": "Hi *there*",
            "blocks": '[{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]',
            "thread_ts": "1503435956.000100",
        },
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["ts"] == "1503435956.000247"
    sent = server.received[-1]
    assert sent.path == "/api/chat.postMessage"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.json()["thread_ts"] == "1503435956.000100"
    assert sent.json()["blocks"][0]["type"] == "section"
    with pytest.raises(PieceError, match="give the Message text or Blocks"):
        await run_action(send_message, {"channel": "C1"}, auth=_auth(server), network=LOCAL)


async def test_send_direct_message_opens_the_dm(server: LocalServer) -> None:
    result = await run_action(
        send_direct_message,
        {"user": "W012A3CDE", "text": "psst"},
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["channel"] == "D069C7QFK"
    assert [r.path for r in server.received] == ["/api/conversations.open", "/api/chat.postMessage"]
    assert server.received[-1].json()["channel"] == "D069C7QFK"


async def test_upload_file_runs_the_external_upload_flow(server: LocalServer) -> None:
    files = InMemoryFiles()
    reference = await files.write(name="report.csv", data=b"a,b\n1,2\n")
    result = await run_action(
        upload_file,
        {"channel": "C123ABC456", "file": reference, "initial_comment": "Weekly report"},
        auth=_auth(server),
        files=files,
        network=LOCAL,
    )
    assert result.output["fileId"] == "F123ABC456"
    ticket, upload, complete = server.received
    assert ticket.path == "/api/files.getUploadURLExternal?filename=report.csv&length=8"
    assert upload.path == "/upload/v1/ABC123"
    assert upload.body == b"a,b\n1,2\n"
    assert complete.json() == {
        "files": [{"id": "F123ABC456", "title": "report.csv"}],
        "channel_id": "C123ABC456",
        "initial_comment": "Weekly report",
    }


@pytest.mark.parametrize(
    ("channel", "token", "error", "message"),
    [
        ("C404", TOKEN, PieceError, "chat.postMessage failed: channel_not_found"),
        ("C1", "xoxb-revoked", AuthError, "chat.postMessage failed: invalid_auth"),
        ("CSCOPE", TOKEN, AuthError, r"missing_scope \(needs scope chat:write\)"),
        ("CBUSY", TOKEN, RateLimitedError, r"rate limit reached: ratelimited \(retry after 30 s\)"),
        ("C500", TOKEN, PieceError, "503 Service Unavailable: upstream connect error"),
    ],
)
async def test_errors_fail_in_plain_words(
    server: LocalServer, channel: str, token: str, error: type[PieceError], message: str
) -> None:
    with pytest.raises(error, match=message):
        await run_action(
            send_message,
            {"channel": channel, "text": "x"},
            auth=_auth(server, token),
            network=LOCAL,
        )


async def test_dropdowns_follow_pagination(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    channels = await channel_options(OptionsRequest(auth=_auth(server), props={}))
    assert [(o.label, o.value) for o in channels.options] == [
        ("#general", "C012AB3CD"),
        ("#random", "C061EG9T2"),
    ]
    users = await user_options(OptionsRequest(auth=_auth(server), props={}))
    assert [o.value for o in users.options] == ["W012A3CDE"]
    revoked = await channel_options(OptionsRequest(auth=_auth(server, "xoxb-revoked"), props={}))
    assert revoked.disabled
    assert "invalid_auth" in revoked.placeholder


def _request(
    body: dict[str, Any], headers: dict[str, str] | None = None, raw: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "method": "POST",
        "headers": headers or {},
        "queryParams": {},
        "body": body,
    }
    if raw is not None:
        payload["rawBody"] = raw
    return payload


async def test_url_verification_is_a_handshake_answered_with_the_challenge() -> None:
    request = _request(load("slack", "url_verification"))
    assert new_message.handshake.matches(request)
    assert new_message.handshake_response is not None
    answer = await new_message.handshake_response(TriggerContext(props={}, payload=request))
    assert answer.body == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
    assert not new_message.handshake.matches(_request(load("slack", "event_message")))


async def test_message_events_start_runs_filtered_by_channel_and_bots() -> None:
    event = load("slack", "event_message")
    [item] = await run_trigger(new_message, {}, payload=_request(event), auth={"bot_token": TOKEN})
    assert item["text"] == "Live long and prospect."
    assert item["event_id"] == "Ev123ABC456"
    other = await run_trigger(
        new_message, {"channel": "C999"}, payload=_request(event), auth={"bot_token": TOKEN}
    )
    assert other == []
    bot = {**event, "event": {**event["event"], "bot_id": "B1", "subtype": "bot_message"}}
    assert (
        await run_trigger(new_message, {}, payload=_request(bot), auth={"bot_token": TOKEN}) == []
    )
    assert (
        len(
            await run_trigger(
                new_message,
                {"ignore_bots": False},
                payload=_request(bot),
                auth={"bot_token": TOKEN},
            )
        )
        == 1
    )


async def test_signed_events_are_verified_with_the_signing_secret() -> None:
    raw = json.dumps(load("slack", "event_message"))
    stamp = str(int(time.time()))
    signature = "v0=" + hmac.new(b"shh", f"v0:{stamp}:{raw}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    auth = {"bot_token": TOKEN, "signing_secret": "shh"}
    good = _request(json.loads(raw), headers, raw)
    assert len(await run_trigger(new_message, {}, payload=good, auth=auth)) == 1
    forged = _request(json.loads(raw), {**headers, "X-Slack-Signature": "v0=00"}, raw)
    assert await run_trigger(new_message, {}, payload=forged, auth=auth) == []
    stale = {**headers, "X-Slack-Request-Timestamp": str(int(time.time()) - 600)}
    assert (
        await run_trigger(new_message, {}, payload=_request(json.loads(raw), stale, raw), auth=auth)
        == []
    )


async def test_custom_api_call_sends_the_bot_token(server: LocalServer) -> None:
    result = await run_action(
        piece.action("custom_api_call"), {"url": "/users.list"}, auth=_auth(server), network=LOCAL
    )
    assert result.output["body"]["members"][0]["id"] == "W012A3CDE"
    assert server.received[-1].headers["authorization"] == f"Bearer {TOKEN}"
