"""GitHub against a local server answering with GitHub's documented shapes (JSON fixtures)."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pieces.framework import AuthError, NetworkPolicy, OptionsRequest, PieceError, TriggerContext
from pieces.framework.api_errors import RateLimitedError
from pieces.framework.http_client import create_http_client
from pieces.framework.testing import TEST_WEBHOOK_URL, run_action, run_trigger
from pieces.github import piece
from pieces.github.actions.create_comment import create_comment
from pieces.github.actions.create_issue import create_issue
from pieces.github.client import repository_options
from pieces.github.triggers.new_issue import new_issue
from pieces.github.triggers.new_pull_request import new_pull_request
from pieces.github.webhooks import secret
from tests.pieces.fixtures import load
from tests.pieces.local_http import LocalServer, Received, Reply, local_http_server

LOCAL = NetworkPolicy(allow_list=("127.0.0.1",))
TOKEN = "ghp_good"
BASE: list[str] = []
#: hooks by id on octocat/Hello-World, as the fake GitHub keeps them.
HOOKS: dict[int, dict[str, Any]] = {}


def _answer(request: Received) -> Reply:
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return Reply.json(load("github", "error_bad_credentials"), status=401)
    path, _, query = request.path.partition("?")
    if path == "/user/repos":
        if "page=2" in query:
            return Reply.json(load("github", "repos_page2"))
        reply = Reply.json(load("github", "repos_page1"))
        reply.headers["Link"] = (
            f'<{BASE[0]}/user/repos?per_page=100&page=2>; rel="next", '
            f'<{BASE[0]}/user/repos?per_page=100&page=2>; rel="last"'
        )
        return reply
    if path.startswith("/repos/octocat/missing/"):
        return Reply.json(load("github", "error_not_found"), status=404)
    if path.startswith("/repos/octocat/limited/"):
        reply = Reply.json(load("github", "error_rate_limit"), status=403)
        reply.headers.update(
            {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(time.time()) + 120),
            }
        )
        return reply
    if path == "/repos/octocat/Hello-World/issues":
        if not request.json().get("title", "").strip():
            return Reply.json(load("github", "error_validation"), status=422)
        return Reply.json(load("github", "issue"), status=201)
    if path == "/repos/octocat/Hello-World/issues/1347/comments":
        return Reply.json(load("github", "comment"), status=201)
    if path == "/repos/octocat/Hello-World/hooks":
        if request.method == "POST":
            hook = {**load("github", "hook"), **request.json(), "id": len(HOOKS) + 1}
            HOOKS[hook["id"]] = hook
            return Reply.json(hook, status=201)
        return Reply.json(list(HOOKS.values()))
    if path.startswith("/repos/octocat/Hello-World/hooks/") and request.method == "DELETE":
        HOOKS.pop(int(path.rsplit("/", 1)[1]))
        return Reply(status=204)
    return Reply.json(load("github", "error_not_found"), status=404)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    HOOKS.clear()
    with local_http_server(_answer) as running:
        BASE[:] = [running.url]
        yield running


def _auth(server: LocalServer, token: str = TOKEN) -> dict[str, Any]:
    return {"token": token, "base_url": server.url}


async def test_create_issue_and_comment(server: LocalServer) -> None:
    issue = await run_action(
        create_issue,
        {
            "repository": "octocat/Hello-World",
            "title": "Found a bug",
            "labels": ["bug"],
            "assignees": ["octocat"],
        },
        auth=_auth(server),
        network=LOCAL,
    )
    assert issue.output["number"] == 1347
    sent = server.received[-1]
    assert sent.json() == {"title": "Found a bug", "labels": ["bug"], "assignees": ["octocat"]}
    assert sent.headers["x-github-api-version"] == "2022-11-28"
    assert sent.headers["accept"] == "application/vnd.github+json"
    comment = await run_action(
        create_comment,
        {"repository": "octocat/Hello-World", "issue_number": 1347, "body": "Me too"},
        auth=_auth(server),
        network=LOCAL,
    )
    assert comment.output["body"] == "Me too"


@pytest.mark.parametrize(
    ("repository", "title", "token", "error", "message"),
    [
        (
            "octocat/Hello-World",
            " ",
            TOKEN,
            PieceError,
            r"422 Unprocessable Entity: Validation Failed \(title missing_field\)",
        ),
        ("octocat/missing", "t", TOKEN, PieceError, "404 Not Found: Not Found"),
        ("octocat/Hello-World", "t", "ghp_revoked", AuthError, "401 Unauthorized: Bad credentials"),
        (
            "octocat/limited",
            "t",
            TOKEN,
            RateLimitedError,
            r"rate limit reached: API rate limit exceeded.*\(retry after \d+ s\)",
        ),
        ("no-slash", "t", TOKEN, PieceError, "must be owner/name"),
    ],
)
async def test_errors_fail_in_plain_words(
    server: LocalServer,
    repository: str,
    title: str,
    token: str,
    error: type[PieceError],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await run_action(
            create_issue,
            {"repository": repository, "title": title},
            auth=_auth(server, token),
            network=LOCAL,
        )


async def test_repository_dropdown_follows_link_pages(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    state = await repository_options(OptionsRequest(auth=_auth(server), props={}))
    assert [o.value for o in state.options] == ["octocat/Hello-World", "octocat/Spoon-Knife"]
    assert (await repository_options(OptionsRequest(auth=_auth(server, "bad"), props={}))).disabled


async def test_enabling_registers_one_hook_and_disabling_removes_it(server: LocalServer) -> None:
    async with create_http_client(LOCAL) as http:
        ctx = TriggerContext(
            props={"repository": "octocat/Hello-World"},
            auth=_auth(server),
            http=http,
            webhook_url=TEST_WEBHOOK_URL,
        )
        assert new_issue.on_enable is not None
        assert new_issue.on_disable is not None
        await new_issue.on_enable(ctx)
        await new_issue.on_enable(ctx)  # twice: still one hook
        [hook] = HOOKS.values()
        assert hook["events"] == ["issues"]
        assert hook["config"]["url"] == TEST_WEBHOOK_URL
        assert hook["config"]["secret"] == secret(_auth(server), TEST_WEBHOOK_URL)
        await new_issue.on_disable(ctx)
    assert HOOKS == {}


def _delivery(
    event: str, body: dict[str, Any], *, signed_with: str | None = None
) -> dict[str, Any]:
    raw = json.dumps(body)
    headers = {"X-GitHub-Event": event}
    if signed_with is not None:
        digest = hmac.new(signed_with.encode(), raw.encode(), hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    return {"method": "POST", "headers": headers, "body": body, "rawBody": raw}


async def test_deliveries_fire_for_opened_issues_and_pull_requests() -> None:
    auth = {"token": TOKEN}
    key = secret(auth, TEST_WEBHOOK_URL)
    issue_event = load("github", "event_issues_opened")
    props = {"repository": "octocat/Hello-World"}
    [issue] = await run_trigger(
        new_issue, props, payload=_delivery("issues", issue_event, signed_with=key), auth=auth
    )
    assert issue["number"] == 1347
    assert issue["repository"]["full_name"] == "octocat/Hello-World"
    closed = {**issue_event, "action": "closed"}
    assert (
        await run_trigger(
            new_issue, props, payload=_delivery("issues", closed, signed_with=key), auth=auth
        )
        == []
    )
    assert (
        await run_trigger(
            new_issue, props, payload=_delivery("ping", {"zen": "Keep it simple"}), auth=auth
        )
        == []
    )
    forged = _delivery("issues", issue_event, signed_with="wrong")
    assert await run_trigger(new_issue, props, payload=forged, auth=auth) == []
    pr_event = load("github", "event_pull_request_opened")
    [pr] = await run_trigger(
        new_pull_request,
        props,
        payload=_delivery("pull_request", pr_event, signed_with=key),
        auth=auth,
    )
    assert pr["head"]["ref"] == "fix"


async def test_custom_api_call(server: LocalServer) -> None:
    result = await run_action(
        piece.action("custom_api_call"), {"url": "/user/repos"}, auth=_auth(server), network=LOCAL
    )
    assert result.output["body"][0]["full_name"] == "octocat/Hello-World"
