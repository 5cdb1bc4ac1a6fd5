"""OpenAI against a local server answering with OpenAI's documented shapes (JSON fixtures)."""

from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import (
    AuthError,
    NetworkPolicy,
    OptionsRequest,
    PieceError,
    PropsValidationError,
)
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.testing import run_action
from pieces.openai import piece
from pieces.openai.actions.chat_completion import chat_completion
from pieces.openai.actions.create_embeddings import create_embeddings
from pieces.openai.actions.extract_structured_data import extract_structured_data
from pieces.openai.client import model_options
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
KEY = "sk-test"


def _answer(request: Received) -> Reply:
    if request.headers.get("authorization") not in (f"Bearer {KEY}", None):
        return Reply.json(load("openai", "error_invalid_api_key"), status=401)
    path = request.path.split("?")[0]
    if path == "/v1/models":
        return Reply.json(load("openai", "models"))
    if path == "/v1/embeddings":
        return Reply.json(load("openai", "embeddings"))
    if path == "/v1/chat/completions":
        body = request.json()
        if body["model"] == "gpt-9":
            return Reply.json(load("openai", "error_model_not_found"), status=404)
        if body["model"] == "busy":
            reply = Reply.json(load("openai", "error_rate_limit"), status=429)
            reply.headers.update(
                {
                    "retry-after": "20",
                    "x-ratelimit-remaining-requests": "0",
                    "x-ratelimit-limit-requests": "3",
                }
            )
            return reply
        if body["model"] == "broken":
            return Reply.json(load("openai", "error_server"), status=500)
        if "response_format" in body:
            return Reply.json(load("openai", "chat_extraction"))
        return Reply.json(load("openai", "chat_completion"))
    return Reply.json({"error": {"message": f"Unknown request URL: {path}"}}, status=404)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with local_http_server(_answer) as running:
        yield running


def _auth(server: LocalServer, key: str | None = KEY) -> dict[str, Any]:
    return {"api_key": key, "base_url": f"{server.url}/v1", "organization": "org-123"}


async def test_chat_completion_sends_messages_and_returns_the_answer(server: LocalServer) -> None:
    result = await run_action(
        chat_completion,
        {
            "model": "gpt-4o-mini",
            "prompt": "Say hello",
            "system_prompt": "Be brief",
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hey"},
            ],
            "temperature": 0.2,
            "max_tokens": 50,
        },
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["content"] == "Hello! How can I help you today?"
    assert result.output["finishReason"] == "stop"
    assert result.output["usage"]["total_tokens"] == 29
    sent = server.received[-1]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["openai-organization"] == "org-123"
    assert sent.json() == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hey"},
            {"role": "user", "content": "Say hello"},
        ],
        "temperature": 0.2,
        "max_completion_tokens": 50,
    }


async def test_local_server_without_a_key(server: LocalServer) -> None:
    result = await run_action(
        chat_completion,
        {"model": "llama3.2", "prompt": "Hi"},
        auth=_auth(server, None),
        network=LOCAL,
    )
    assert result.output["content"].startswith("Hello")
    assert "authorization" not in server.received[-1].headers


async def test_extract_structured_data_returns_the_json(server: LocalServer) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "amount": {"type": "number"},
            "due": {"type": "string"},
        },
        "required": ["name", "amount"],
    }
    result = await run_action(
        extract_structured_data,
        {
            "model": "gpt-4o-mini",
            "text": "Invoice for Ada Lovelace: 120.50 due Feb 1",
            "schema": schema,
        },
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["data"] == {"name": "Ada Lovelace", "amount": 120.5, "due": "2026-02-01"}
    sent = server.received[-1].json()
    assert sent["response_format"]["json_schema"]["schema"] == schema
    with pytest.raises(PieceError, match="lacks required fields"):
        await run_action(
            extract_structured_data,
            {"model": "m", "text": "t", "schema": {**schema, "required": ["iban"]}},
            auth=_auth(server),
            network=LOCAL,
        )
    with pytest.raises(PropsValidationError, match="type"):
        await run_action(
            extract_structured_data, {"model": "m", "text": "t", "schema": []}, auth=_auth(server)
        )


async def test_embeddings_in_input_order(server: LocalServer) -> None:
    result = await run_action(
        create_embeddings,
        {"model": "text-embedding-3-small", "input": ["a", "b"]},
        auth=_auth(server),
        network=LOCAL,
    )
    assert result.output["embeddings"][1] == [0.5, -0.25, 0.125]
    assert result.output["embedding"][0] == pytest.approx(0.0023064255)
    with pytest.raises(PropsValidationError, match="list of texts"):
        await run_action(create_embeddings, {"model": "m", "input": [1]}, auth=_auth(server))


@pytest.mark.parametrize(
    ("model", "key", "error", "message"),
    [
        (
            "gpt-4o-mini",
            "sk-wrong",
            AuthError,
            r"401 Unauthorized: Incorrect API key provided.*\(invalid_api_key\)",
        ),
        (
            "busy",
            KEY,
            RateLimitedError,
            r"rate limit reached: Rate limit reached for gpt-4o-mini.*\(retry after 20 s\)",
        ),
        ("broken", KEY, PieceError, "500 Internal Server Error: The server had an error"),
        ("gpt-9", KEY, PieceError, "404 Not Found: The model `gpt-9` does not exist"),
    ],
)
async def test_vendor_errors_fail_in_plain_words(
    server: LocalServer, model: str, key: str, error: type[PieceError], message: str
) -> None:
    with pytest.raises(error, match=message):
        await run_action(
            chat_completion, {"model": model, "prompt": "x"}, auth=_auth(server, key), network=LOCAL
        )


async def test_model_dropdown_lists_the_servers_models(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    state = await model_options(OptionsRequest(auth=_auth(server), props={}, search="gpt"))
    assert [o.value for o in state.options] == ["gpt-4o", "gpt-4o-mini"]
    wrong = await model_options(OptionsRequest(auth=_auth(server, "sk-wrong"), props={}))
    assert wrong.disabled
    assert "Incorrect API key" in wrong.placeholder
    assert (await model_options(OptionsRequest(auth=None, props={}))).disabled


async def test_custom_api_call_uses_the_base_url_and_key(server: LocalServer) -> None:
    action = piece.action("custom_api_call")
    result = await run_action(action, {"url": "/models"}, auth=_auth(server), network=LOCAL)
    assert result.output["status"] == 200
    assert server.received[-1].path == "/v1/models"
    assert server.received[-1].headers["authorization"] == f"Bearer {KEY}"
