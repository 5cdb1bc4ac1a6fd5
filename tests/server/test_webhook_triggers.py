"""Webhook triggers on a real server: GitHub hooks registered and removed against a local fake
GitHub, signatures checked over the raw body, Slack's URL verification answered."""

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.model import Flow, PieceTrigger, PieceTriggerSettings
from pieces.github.webhooks import secret
from tests.pieces.fixtures import load
from tests.pieces.github.test_github import BASE, HOOKS, TOKEN
from tests.pieces.github.test_github import _answer as github_answer
from tests.pieces.local_http import LocalServer, local_http_server
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import create, finished_run

PUBLIC_URL = "http://pw.example"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
async def api(tmp_path: Path, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(tmp_path, database_url, public_url=PUBLIC_URL) as client:
        yield client


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    HOOKS.clear()
    with local_http_server(github_answer) as running:
        BASE[:] = [running.url]
        yield running


async def connect(api: httpx.AsyncClient, owner: User, piece: str, props: dict[str, str]) -> None:
    answer = await api.post(
        "/app-connections",
        json={
            "externalId": piece,
            "displayName": piece,
            "pieceName": piece,
            "projectId": owner.project_id,
            "type": "CUSTOM_AUTH",
            "value": {"type": "CUSTOM_AUTH", "props": props},
        },
        headers=owner.headers,
    )
    assert answer.status_code in (200, 201), answer.text


async def publish_trigger(
    api: httpx.AsyncClient, owner: User, piece: str, trigger: str, props: dict[str, Any]
) -> tuple[str, httpx.Response]:
    settings = PieceTriggerSettings(
        piece_name=piece,
        piece_version="0.1.0",
        trigger_name=trigger,
        input={"auth": f"{{{{connections['{piece}']}}}}", **props},
    )
    document = Flow(display_name=trigger, trigger=PieceTrigger(settings=settings), steps=[])
    flow_id = str((await create(api, owner))["id"])
    imported = await api.post(
        f"/flows/{flow_id}",
        json={"type": "IMPORT_FLOW", "request": document.model_dump(mode="json")},
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    published = await api.post(
        f"/flows/{flow_id}", json={"type": "LOCK_AND_PUBLISH", "request": {}}, headers=owner.headers
    )
    return flow_id, published


async def set_status(api: httpx.AsyncClient, owner: User, flow_id: str, status: str) -> Any:
    answer = await api.post(
        f"/flows/{flow_id}",
        json={"type": "CHANGE_STATUS", "request": {"status": status}},
        headers=owner.headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def hook_urls() -> list[str]:
    return [hook["config"]["url"] for hook in HOOKS.values()]


async def test_github_hook_follows_the_flow_and_deliveries_are_verified(
    api: httpx.AsyncClient, github: LocalServer
) -> None:
    owner = await sign_up(api)
    auth = {"token": TOKEN, "base_url": github.url}
    await connect(api, owner, "github", auth)
    repo = {"repository": "octocat/Hello-World"}
    flow_id, published = await publish_trigger(api, owner, "github", "new_issue", repo)
    assert published.status_code == 200, published.text
    url = f"{PUBLIC_URL}/api/v1/webhooks/{flow_id}"
    assert hook_urls() == [url]

    raw = json.dumps(load("github", "event_issues_opened"))
    signature = hmac.new(secret(auth, url).encode(), raw.encode(), hashlib.sha256).hexdigest()
    headers = {"content-type": "application/json", "x-github-event": "issues"}
    signed = await api.post(
        f"/webhooks/{flow_id}",
        content=raw,
        headers={**headers, "x-hub-signature-256": f"sha256={signature}"},
    )
    run = await finished_run(api, owner, signed.json()["runId"])
    assert run["status"] == "SUCCEEDED"
    assert run["steps"]["trigger"]["output"]["number"] == 1347
    forged = await api.post(
        f"/webhooks/{flow_id}",
        content=raw,
        headers={**headers, "x-hub-signature-256": "sha256=" + "0" * 64},
    )
    assert forged.json() == {"runId": None, "runIds": []}

    await set_status(api, owner, flow_id, "DISABLED")  # on_disable removes the hook
    assert hook_urls() == []
    await set_status(api, owner, flow_id, "ENABLED")
    assert hook_urls() == [url]
    deleted = await api.delete(f"/flows/{flow_id}", headers=owner.headers)
    assert deleted.status_code == 204
    assert hook_urls() == []


async def test_a_failing_on_disable_is_shown_but_the_flow_turns_off(
    api: httpx.AsyncClient, github: LocalServer
) -> None:
    owner = await sign_up(api)
    await connect(api, owner, "github", {"token": TOKEN, "base_url": github.url})
    repo = {"repository": "octocat/Hello-World"}
    flow_id, _ = await publish_trigger(api, owner, "github", "new_issue", repo)
    await connect(api, owner, "github", {"token": "ghp_revoked", "base_url": github.url})
    flow = await set_status(api, owner, flow_id, "DISABLED")
    assert flow["status"] == "DISABLED"
    assert "telling the service failed" in flow["triggerError"]
    assert "Bad credentials" in flow["triggerError"]
    assert len(HOOKS) == 1  # still at GitHub: the message says to remove it by hand


async def test_a_trigger_whose_on_enable_fails_stays_off_with_the_error(
    api: httpx.AsyncClient, github: LocalServer
) -> None:
    owner = await sign_up(api)
    await connect(api, owner, "github", {"token": "ghp_revoked", "base_url": github.url})
    repo = {"repository": "octocat/Hello-World"}
    flow_id, published = await publish_trigger(api, owner, "github", "new_issue", repo)
    assert published.status_code == 400
    assert published.json()["code"] == "TRIGGER_ENABLE_FAILED"
    assert "Bad credentials" in published.json()["message"]
    flow = (await api.get(f"/flows/{flow_id}", headers=owner.headers)).json()
    assert flow["status"] == "DISABLED"
    assert flow["publishedVersionId"] is None


def slack_headers(raw: str, *, signing_secret: str = SLACK_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(signing_secret.encode(), f"v0:{stamp}:{raw}".encode(), hashlib.sha256)
    return {
        "content-type": "application/json",
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": f"v0={digest.hexdigest()}",
    }


async def test_slack_url_verification_and_signed_events(api: httpx.AsyncClient) -> None:
    owner = await sign_up(api)
    await connect(
        api,
        owner,
        "slack",
        {
            "bot_token": "xoxb-1",
            "signing_secret": SLACK_SECRET,
            "base_url": "https://slack.com/api",
        },
    )
    props = {"channel": "", "ignore_bots": True}
    flow_id, published = await publish_trigger(api, owner, "slack", "new_message", props)
    assert published.status_code == 200, published.text

    verification = json.dumps({"type": "url_verification", "token": "t", "challenge": "ch4ll"})
    answer = await api.post(
        f"/webhooks/{flow_id}", content=verification, headers=slack_headers(verification)
    )
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "ch4ll"}

    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "Ev1",
        "event": {"type": "message", "channel": "C1", "user": "U1", "text": "hello", "ts": "1.2"},
    }
    raw = json.dumps(event)
    signed = await api.post(f"/webhooks/{flow_id}", content=raw, headers=slack_headers(raw))
    run = await finished_run(api, owner, signed.json()["runId"])
    assert run["steps"]["trigger"]["output"]["text"] == "hello"
    assert "rawBody" not in json.dumps(run)
    forged = await api.post(
        f"/webhooks/{flow_id}", content=raw, headers=slack_headers(raw, signing_secret="wrong")
    )
    assert forged.json()["runId"] is None
    await asyncio.sleep(0.3)
    params = {"projectId": owner.project_id, "flowId": flow_id}
    listed = (await api.get("/flow-runs", params=params, headers=owner.headers)).json()["data"]
    assert len(listed) == 1  # the handshake and the forged event started nothing
