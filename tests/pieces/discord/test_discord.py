"""Discord against a local server answering with Discord's documented shapes (JSON fixtures)."""

from collections.abc import Iterator
from typing import Any

import pytest

from pieces.discord import piece
from pieces.discord.actions.send_message import send_message
from pieces.discord.actions.send_message_webhook import send_message_webhook
from pieces.framework import AuthError, NetworkPolicy, PieceError, PropsValidationError
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.testing import run_action
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))


def _answer(request: Received) -> Reply:
    path = request.path.split("?")[0]
    if path.startswith("/api/webhooks/"):
        if "bad" in path:
            return Reply.json({"message": "Unknown Webhook", "code": 10015}, status=404)
        return Reply.json(load("discord", "message"))
    if request.headers.get("authorization") != "Bot good-token":
        return Reply.json(load("discord", "error_unauthorized"), status=401)
    channel = path.split("/")[4]
    if channel == "404":
        return Reply.json(load("discord", "error_unknown_channel"), status=404)
    if channel == "busy":
        reply = Reply.json(load("discord", "error_rate_limited"), status=429)
        reply.headers.update(
            {
                "Retry-After": "1.5",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Scope": "user",
            }
        )
        return reply
    if channel == "form":
        return Reply.json(load("discord", "error_invalid_form"), status=400)
    if channel == "down":
        return Reply(status=502, body=b"<html>Bad Gateway</html>")
    return Reply.json(load("discord", "message"))


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        yield running


def _auth(server: LocalServer, token: str = "good-token") -> dict[str, Any]:
    return {"bot_token": token, "base_url": f"{server.url}/api/v10"}


async def test_webhook_message_needs_no_connection(server: LocalServer) -> None:
    result = await run_action(
        send_message_webhook,
        {
            "webhook_url": f"{server.url}/api/webhooks/130/tok",
            "content": "Deploy finished",
            "embeds": {"title": "Build 42"},
            "username": "CI",
        },
        network=LOCAL,
    )
    assert result.output["id"] == "1154890000000000000"
    sent = server.received[-1]
    assert sent.path == "/api/webhooks/130/tok?wait=true"
    assert sent.json() == {
        "content": "Deploy finished",
        "embeds": [{"title": "Build 42"}],
        "username": "CI",
    }
    with pytest.raises(PieceError, match=r"404 Not Found: Unknown Webhook \(code 10015\)"):
        await run_action(
            send_message_webhook,
            {"webhook_url": f"{server.url}/api/webhooks/bad/x", "content": "x"},
            network=LOCAL,
        )


async def test_bot_message_posts_to_the_channel(server: LocalServer) -> None:
    result = await run_action(
        send_message, {"channel_id": "1100", "content": "hi"}, auth=_auth(server), network=LOCAL
    )
    assert result.output["content"] == "Deploy finished"
    assert server.received[-1].path == "/api/v10/channels/1100/messages"
    assert server.received[-1].headers["authorization"] == "Bot good-token"


@pytest.mark.parametrize(
    ("channel", "token", "error", "message"),
    [
        ("404", "good-token", PieceError, r"Unknown Channel \(code 10003\)"),
        ("1", "revoked", AuthError, "401 Unauthorized: 401: Unauthorized"),
        (
            "busy",
            "good-token",
            RateLimitedError,
            r"You are being rate limited\. \(retry after 1\.5 s\)",
        ),
        ("form", "good-token", PieceError, r"Invalid Form Body \(code 50035\).*2000 or fewer"),
        ("down", "good-token", PieceError, "502 Bad Gateway"),
    ],
)
async def test_errors_fail_in_plain_words(
    server: LocalServer, channel: str, token: str, error: type[PieceError], message: str
) -> None:
    with pytest.raises(error, match=message):
        await run_action(
            send_message,
            {"channel_id": channel, "content": "x"},
            auth=_auth(server, token),
            network=LOCAL,
        )


async def test_empty_or_too_long_messages_are_refused(server: LocalServer) -> None:
    with pytest.raises(PieceError, match="give the Message or Embeds"):
        await run_action(send_message, {"channel_id": "1"}, auth=_auth(server), network=LOCAL)
    with pytest.raises(PropsValidationError, match="content"):
        await run_action(
            send_message, {"channel_id": "1", "content": "x" * 2001}, auth=_auth(server)
        )


async def test_custom_api_call_uses_the_bot_token(server: LocalServer) -> None:
    result = await run_action(
        piece.action("custom_api_call"),
        {"url": "/channels/1100/messages", "method": "POST", "body": {"content": "x"}},
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["status"] == 200
    assert server.received[-1].headers["authorization"] == "Bot good-token"
