"""Paused runs with real processes: they survive a server killed with SIGKILL, duplicate resume
calls resume them once, and a resume that comes before the pause is kept."""

import asyncio
import json
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ServerProcess, start_server_process, stop_server_process
from tests.e2e.processes import publish_flow, team, wait_for
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server


def _path(url: str) -> str:
    return "/api/v1" + url.split("/api/v1", 1)[1]


def _run(server: ServerProcess, headers: dict[str, str], run_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/api/v1/flow-runs/{run_id}", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    run: dict[str, Any] = answer.json()
    return run


def _wait_status(
    server: ServerProcess, headers: dict[str, str], run_id: str, wanted: str, timeout_s: float = 60
) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def reached() -> bool:
        found.update(_run(server, headers, run_id))
        assert found["status"] in {"QUEUED", "RUNNING", "PAUSED", wanted}, found
        return bool(found["status"] == wanted)

    wait_for(reached, timeout_s, f"run {run_id} to be {wanted}\n{server.log()[-4000:]}")
    return found


async def _resume_many(url: str, times: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=30) as client:
        return await asyncio.gather(
            *(client.post(url, json={"action": "approve"}) for _ in range(times))
        )


def test_paused_runs_resume_after_the_server_is_killed_and_restarted(data_dir: Path) -> None:
    hits: Counter[str] = Counter()

    def count(request: Received) -> Reply:
        hits[request.path] += 1
        return Reply.json({})

    env = {"PW_SSRF_ALLOW_LIST": "127.0.0.1"}
    with local_http_server(count) as side_effects:
        server = start_server_process(data_dir, env=env)
        headers = {"Authorization": f"Bearer {server.token}"}
        try:
            project_id = httpx.get(f"{server.url}/api/v1/projects", headers=headers).json()["data"][
                0
            ]["id"]
            base = server.url + "/api/v1"
            delayed = publish_flow(
                base,
                headers,
                project_id,
                flow(
                    piece("nap", "delay", "delay_for", amount=6, unit="seconds"),
                    piece("woke", "http", "send_request", url=f"{side_effects.url}/woke"),
                ),
            )
            approved = publish_flow(
                base,
                headers,
                project_id,
                flow(
                    piece("wait", "approval", "wait_for_approval"),
                    piece("went_on", "http", "send_request", url=f"{side_effects.url}/went_on"),
                ),
            )
            delay_run = httpx.post(f"{base}/webhooks/{delayed}", json={}).json()["runId"]
            approval_run = httpx.post(f"{base}/webhooks/{approved}", json={}).json()["runId"]
            _wait_status(server, headers, delay_run, "PAUSED")
            paused = _wait_status(server, headers, approval_run, "PAUSED")
            resume_url = paused["pause"]["waitpoint"]["resumeUrl"]

            server.process.send_signal(signal.SIGKILL)
            server.process.wait(10)
            server = start_server_process(data_dir, env=env)
            headers = {"Authorization": f"Bearer {server.token}"}
            assert hits == Counter()  # nothing went on while paused

            answers = asyncio.run(_resume_many(server.url + _path(resume_url), 50))
            assert {a.status_code for a in answers} == {200}, answers[0].text
            assert sum(1 for a in answers if a.json()["queued"]) == 1
            assert sum(1 for a in answers if a.json()["duplicate"]) == 49
            done = _wait_status(server, headers, approval_run, "SUCCEEDED")
            assert done["steps"]["wait"]["output"] == {"approved": True}
            woke = _wait_status(server, headers, delay_run, "SUCCEEDED", timeout_s=30)
            assert woke["steps"]["nap"]["output"]["success"] is True
            assert hits == Counter({"/woke": 1, "/went_on": 1})
        finally:
            stop_server_process(server)


def test_a_resume_sent_before_the_pause_is_written_resumes_the_run(
    tmp_path: Path, database_url: str
) -> None:
    links: dict[str, Any] = {}
    resumed = threading.Event()

    def hold(request: Received) -> Reply:
        # The run announces its approval links here, and waits until they have been used.
        links.update(json.loads(request.body))
        resumed.wait(30)
        return Reply.json({})

    with local_http_server(hold) as announcer, team(tmp_path, database_url) as running:
        flow_id = running.publish(
            flow(
                piece("links", "approval", "create_approval_links"),
                piece(
                    "announce",
                    "http",
                    "send_request",
                    method="POST",
                    url=f"{announcer.url}/links",
                    body_type="json",
                    body="{{links}}",
                ),
                piece("wait", "approval", "wait_for_approval", waitpointId="{{links.waitpointId}}"),
            )
        )
        run_id = httpx.post(f"{running.base}/webhooks/{flow_id}", json={}).json()["runId"]
        try:
            wait_for(lambda: links, 60, "the approval links")
            early = httpx.get(f"http://127.0.0.1:{running.port}" + _path(links["approveLink"]))
            assert early.status_code == 200, early.text
            assert early.json()["queued"] is False  # not paused yet: kept for the pause
        finally:
            resumed.set()
        done = running.wait_until_not(run_id, {"QUEUED", "RUNNING", "PAUSED"})
        assert done["status"] == "SUCCEEDED", running.logs()
        assert done["steps"]["wait"]["output"] == {"approved": True}
