"""Retry and cancel runs through the API."""

from typing import Any

import httpx
import pytest

from tests.engine.builders import flow, piece, respond
from tests.pieces.local_http import Received, Reply, local_http_server
from tests.server.conftest import User
from tests.server.helpers import finished_run, publish


async def stored(api: httpx.AsyncClient, owner: User, flow_id: str, key: str) -> Any:
    entry = await api.get(
        "/store-entries",
        params={"key": f"flow_{flow_id}/{key}", "projectId": owner.project_id},
        headers=owner.headers,
    )
    return entry.json()["value"]


async def test_retry_from_the_failed_step_keeps_what_succeeded(
    api: httpx.AsyncClient, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    calls: list[str] = []

    def flaky(request: Received) -> Reply:
        calls.append(request.path)
        return Reply.json({"ok": len(calls) > 1}, status=500 if len(calls) == 1 else 200)

    with local_http_server(flaky) as server:
        flow_id = await publish(
            api,
            owner,
            flow(
                piece("count", "store", "increment", key="runs", value=1),
                piece("call", "http", "send_request", method="GET", url=f"{server.url}/flaky"),
                respond("answer", body="{{call.body}}"),
            ).model_dump(mode="json"),
        )
        run_id = (await api.post(f"/webhooks/{flow_id}", json={"n": 1})).json()["runId"]
        failed = await finished_run(api, owner, run_id)
        assert failed["status"] == "FAILED"
        assert failed["failedStep"] == "call"

        retried = await api.post(
            f"/flow-runs/{run_id}/retry",
            json={"strategy": "FROM_FAILED_STEP"},
            headers=owner.headers,
        )
        assert retried.status_code == 201, retried.text
        retry = await finished_run(api, owner, retried.json()["id"])
        assert retry["status"] == "SUCCEEDED", retry
        assert retry["steps"]["count"]["output"] == 1  # reused, not run again
        assert await stored(api, owner, flow_id, "runs") == 1
        assert retry["response"]["body"] == {"ok": True}

        latest = await api.post(
            f"/flow-runs/{run_id}/retry",
            json={"strategy": "ON_LATEST_VERSION"},
            headers=owner.headers,
        )
        fresh = await finished_run(api, owner, latest.json()["id"])
        assert fresh["status"] == "SUCCEEDED"
        assert await stored(api, owner, flow_id, "runs") == 2
        assert fresh["steps"]["trigger"]["output"]["body"] == {"n": 1}

    again = await api.post(
        f"/flow-runs/{retry['id']}/retry",
        json={"strategy": "FROM_FAILED_STEP"},
        headers=owner.headers,
    )
    assert again.status_code == 409
    assert "this run is SUCCEEDED" in again.json()["message"]


async def test_a_paused_run_can_be_canceled_and_then_not_resumed(
    api: httpx.AsyncClient, owner: User
) -> None:
    flow_id = await publish(
        api, owner, flow(piece("wait", "approval", "wait_for_approval")).model_dump(mode="json")
    )
    run_id = (await api.post(f"/webhooks/{flow_id}", json={})).json()["runId"]
    run = await finished_run(api, owner, run_id)
    assert run["status"] == "PAUSED"
    canceled = await api.post(f"/flow-runs/{run_id}/cancel", headers=owner.headers)
    assert canceled.status_code == 200, canceled.text
    assert canceled.json()["status"] == "CANCELED"
    resume = run["pause"]["waitpoint"]["resumeUrl"].split("/api/v1", 1)[1]
    late = await api.post(resume)
    assert late.status_code == 409
    assert "already ended CANCELED" in late.json()["message"]
    twice = await api.post(f"/flow-runs/{run_id}/cancel", headers=owner.headers)
    assert twice.status_code == 409
    bad = await api.post(
        f"/flow-runs/{run_id}/retry", json={"strategy": "SOMETIMES"}, headers=owner.headers
    )
    assert bad.status_code == 422 or bad.status_code == 400
