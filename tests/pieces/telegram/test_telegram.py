"""Telegram against a local server answering with the Bot API's documented shapes (JSON fixtures)."""

from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import AuthError, NetworkPolicy, PieceError, TriggerContext
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.http_client import create_http_client
from pieces.framework.testing import TEST_WEBHOOK_URL, run_action, run_trigger
from pieces.telegram import piece
from pieces.telegram.actions.send_message import send_message
from pieces.telegram.client import webhook_secret
from pieces.telegram.triggers.new_message import new_message
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
TOKEN = "123456:ABC-good"


def _answer(request: Received) -> Reply:
    token, _, method = request.path.removeprefix("/bot").partition("/")
    if token == "123456:revoked":
        return Reply.json(load("telegram", "error_unauthorized"), status=401)
    if token != TOKEN:
        return Reply.json(load("telegram", "error_not_found"), status=404)
    if method == "sendMessage":
        chat = str(request.json()["chat_id"])
        if chat == "404":
            return Reply.json(load("telegram", "error_chat_not_found"), status=400)
        if chat == "busy":
            return Reply.json(load("telegram", "error_too_many_requests"), status=429)
        if chat == "down":
            return Reply(status=502, body=b"Bad Gateway")
        return Reply.json(load("telegram", "sendMessage"))
    if method in {"setWebhook", "deleteWebhook"}:
        return Reply.json(load("telegram", method))
    return Reply.json(load("telegram", "error_not_found"), status=404)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        yield running


def _auth(server: LocalServer, token: str = TOKEN) -> dict[str, Any]:
    return {"bot_token": token, "base_url": server.url}


async def test_send_message(server: LocalServer) -> None:
    result = await run_action(
        send_message,
        {
            "chat_id": "123456789",
            "text": "*Build* passed",
            "parse_mode": "MarkdownV2",
            "reply_to_message_id": "7",
        },
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["message_id"] == 4242
    sent = server.received[-1]
    assert sent.path == f"/bot{TOKEN}/sendMessage"
    assert sent.json() == {
        "chat_id": "123456789",
        "text": "*Build* passed",
        "disable_notification": False,
        "parse_mode": "MarkdownV2",
        "reply_parameters": {"message_id": 7},
    }


@pytest.mark.parametrize(
    ("chat", "token", "error", "message"),
    [
        ("404", TOKEN, PieceError, r"sendMessage failed \(400\): Bad Request: chat not found"),
        ("1", "123456:revoked", AuthError, r"\(401\): Unauthorized; check the bot token"),
        ("1", "999:unknown", AuthError, r"\(404\): Not Found; check the bot token"),
        ("busy", TOKEN, RateLimitedError, "Too Many Requests: retry after 35"),
        ("down", TOKEN, PieceError, "502 Bad Gateway"),
    ],
)
async def test_errors_fail_in_plain_words_without_the_token(
    server: LocalServer, chat: str, token: str, error: type[PieceError], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        await run_action(
            send_message, {"chat_id": chat, "text": "x"}, auth=_auth(server, token), network=LOCAL
        )
    assert token not in caught.value.message
    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 35


async def test_enable_registers_the_webhook_with_a_secret_and_disable_removes_it(
    server: LocalServer,
) -> None:
    async with create_http_client(LOCAL) as http:
        ctx = TriggerContext(
            props={"chat_id": ""}, auth=_auth(server), http=http, webhook_url=TEST_WEBHOOK_URL
        )
        assert new_message.on_enable is not None
        assert new_message.on_disable is not None
        await new_message.on_enable(ctx)
        await new_message.on_disable(ctx)
    registered, removed = server.received
    assert registered.path.endswith("/setWebhook")
    assert registered.json() == {
        "url": TEST_WEBHOOK_URL,
        "secret_token": webhook_secret(_auth(server), TEST_WEBHOOK_URL),
        "allowed_updates": ["message", "channel_post"],
    }
    assert removed.path.endswith("/deleteWebhook")


async def test_updates_with_the_secret_start_runs() -> None:
    auth = {"bot_token": TOKEN}
    secret = webhook_secret(auth, TEST_WEBHOOK_URL)
    update = load("telegram", "update_message")
    payload = {
        "method": "POST",
        "headers": {"X-Telegram-Bot-Api-Secret-Token": secret},
        "body": update,
    }
    [item] = await run_trigger(new_message, {}, payload=payload, auth=auth)
    assert item["text"] == "Hello bot"
    assert item["update_id"] == 987654321
    assert await run_trigger(new_message, {"chat_id": "42"}, payload=payload, auth=auth) == []
    forged = {**payload, "headers": {"X-Telegram-Bot-Api-Secret-Token": "guess"}}
    assert await run_trigger(new_message, {}, payload=forged, auth=auth) == []
    no_message = {**payload, "body": {"update_id": 1, "edited_message": update["message"]}}
    assert await run_trigger(new_message, {}, payload=no_message, auth=auth) == []


async def test_custom_api_call_hides_the_token_in_errors(server: LocalServer) -> None:
    action = piece.action("custom_api_call")
    ok = await run_action(
        action,
        {"url": "/setWebhook", "method": "POST", "body": {}},
        auth=_auth(server),
        network=LOCAL,
    )
    assert ok.output["body"]["ok"] is True
    with pytest.raises(PieceError) as caught:
        await run_action(action, {"url": "/nope"}, auth=_auth(server), network=LOCAL)
    assert TOKEN not in caught.value.message
    assert "<token>" in caught.value.message
