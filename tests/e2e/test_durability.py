"""Durability with real processes: a worker killed with SIGKILL mid-run loses no run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_webhook_sync import free_port
from tests.engine.builders import code, flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server


def _start(args: list[str], env: dict[str, str], log: Path) -> "subprocess.Popen[bytes]":
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "piecework", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_for(check: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_run_survives_its_worker_being_killed(tmp_path: Path, database_url: str) -> None:
    hits: list[str] = []

    def count(request: Received) -> Reply:
        hits.append(request.path)
        return Reply.json({"path": request.path})

    with local_http_server(count) as side_effects:
        port = free_port()
        env = {
            **os.environ,
            "PW_DATABASE_URL": database_url,
            "PW_JWT_SECRET": "durable-secret-" + "z" * 40,
            "PW_ENCRYPTION_KEY": "ef" * 32,
            "PW_SSRF_ALLOW_LIST": "127.0.0.1",
            "PW_WORKER_STALLED_SECONDS": "3",
        }
        server = _start(
            ["server", "--port", str(port), "--data-dir", str(tmp_path / "s")],
            env,
            tmp_path / "server.log",
        )
        first_worker = _start(["worker"], env, tmp_path / "worker1.log")
        second_worker = None
        base = f"http://127.0.0.1:{port}/api/v1"
        try:

            def healthy() -> bool:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                try:
                    return httpx.get(f"{base}/health").status_code == 200
                except httpx.HTTPError:
                    return False

            _wait_for(healthy, 60, "the server")
            signed_up = httpx.post(
                f"{base}/authentication/sign-up",
                json={"email": "d@example.com", "password": "long password"},
            ).json()
            headers = {"Authorization": f"Bearer {signed_up['token']}"}
            steps = flow(
                piece(
                    "before", "http", "send_request", method="GET", url=f"{side_effects.url}/before"
                ),
                code(
                    "slow",
                    "export const code = async () => { await new Promise(r => setTimeout(r, 4000)); return 'slept' }",
                ),
                piece(
                    "after", "http", "send_request", method="GET", url=f"{side_effects.url}/after"
                ),
            )
            created = httpx.post(
                f"{base}/flows",
                json={"displayName": "Durable", "projectId": signed_up["projectId"]},
                headers=headers,
            ).json()
            for operation in (
                {"type": "IMPORT_FLOW", "request": steps.model_dump(mode="json")},
                {"type": "LOCK_AND_PUBLISH", "request": {}},
            ):
                answer = httpx.post(
                    f"{base}/flows/{created['id']}", json=operation, headers=headers
                )
                assert answer.status_code == 200, answer.text
            run_id = httpx.post(f"{base}/webhooks/{created['id']}", json={}).json()["runId"]

            _wait_for(lambda: "/before" in hits, 60, "the first step")
            time.sleep(1.0)  # the slow step is in flight
            first_worker.send_signal(signal.SIGKILL)
            first_worker.wait(10)
            second_worker = _start(["worker"], env, tmp_path / "worker2.log")

            def finished() -> bool:
                run = httpx.get(f"{base}/flow-runs/{run_id}", headers=headers).json()
                return run["status"] not in {"QUEUED", "RUNNING"}

            _wait_for(finished, 90, "the run to finish on the second worker")
            run = httpx.get(f"{base}/flow-runs/{run_id}", headers=headers).json()
            assert run["status"] == "SUCCEEDED", (tmp_path / "worker2.log").read_text()
            assert run["steps"]["slow"]["output"] == "slept"
            assert hits.count("/before") == 1  # recorded before the crash: not run again
            assert hits.count("/after") == 1
            assert "continues from its log" in (tmp_path / "worker2.log").read_text()
        finally:
            for process in (server, second_worker):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in (server, second_worker):
                if process is not None:
                    process.wait(30)
