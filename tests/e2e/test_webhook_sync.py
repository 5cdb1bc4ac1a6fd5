"""The whole path with real processes: server process, embedded Postgres, queue, worker, Deno."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import SAMPLES, ServerProcess, start_server_process, stop_server_process


def _publish(base: str, headers: dict[str, str], project_id: str) -> str:
    flow = httpx.post(
        f"{base}/flows", json={"displayName": "E2E", "projectId": project_id}, headers=headers
    )
    assert flow.status_code == 201, flow.text
    flow_id = str(flow.json()["id"])
    document = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        response = httpx.post(f"{base}/flows/{flow_id}", json=operation, headers=headers)
        assert response.status_code == 200, response.text
    return flow_id


def test_sign_up_publish_and_call_a_sync_webhook(server_process: ServerProcess) -> None:
    base = server_process.url + "/api/v1"
    assert httpx.get(f"{base}/health").json() == {"status": "ok"}
    signed_up = httpx.post(
        f"{base}/authentication/sign-up",
        json={"email": "e2e@example.com", "password": "long password", "firstName": "E"},
    )
    assert signed_up.status_code == 200, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['token']}"}
    flow_id = _publish(base, headers, signed_up.json()["projectId"])

    response = httpx.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 1, "b": 2}, timeout=30)

    assert response.status_code == 200
    assert response.json() == {"sum": 3, "product": 2, "message": "a + b = 3"}
    assert response.headers["x-piecework-sum"] == "3"
    wrong = httpx.post(
        f"{base}/authentication/sign-in", json={"email": "e2e@example.com", "password": "nope nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "INVALID_CREDENTIALS"


def test_local_token_acts_as_the_owner(server_process: ServerProcess) -> None:
    base = server_process.url + "/api/v1"
    headers = {"Authorization": f"Bearer {server_process.token}"}
    projects = httpx.get(f"{base}/projects", headers=headers)
    assert projects.status_code == 200
    assert len(projects.json()["data"]) == 1


def test_second_server_on_the_same_data_dir_refuses(server_process: ServerProcess) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "piecework", "server", "--data-dir", str(server_process.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert f"already running on {server_process.data_dir} at {server_process.url}" in second.stderr
    assert "Traceback" not in second.stderr
    assert httpx.get(server_process.url + "/api/v1/health").status_code == 200


def test_server_stops_cleanly_and_restarts_with_its_data(data_dir: Path) -> None:
    first = start_server_process(data_dir)
    base = first.url + "/api/v1"
    signed_up = httpx.post(
        f"{base}/authentication/sign-up",
        json={"email": "r@example.com", "password": "long password"},
    )
    assert stop_server_process(first) == 0
    assert "Piecework server stopped." in first.log()
    assert not (data_dir / "server.json").exists()
    second = start_server_process(data_dir)
    try:
        again = httpx.post(
            second.url + "/api/v1/authentication/sign-in",
            json={"email": "r@example.com", "password": "long password"},
        )
        assert again.status_code == 200
        assert again.json()["projectId"] == signed_up.json()["projectId"]
    finally:
        stop_server_process(second)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_team_mode_server_and_separate_worker(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PW_DATABASE_URL": database_url,
        "PW_JWT_SECRET": "team-secret-" + "y" * 40,
        "PW_ENCRYPTION_KEY": "cd" * 32,
    }
    server_log = (tmp_path / "server.log").open("wb")
    worker_log = (tmp_path / "worker.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "piecework",
            "server",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "s"),
        ],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "piecework", "worker"],
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(600):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        signed_up = httpx.post(
            f"{base}/authentication/sign-up",
            json={"email": "t@example.com", "password": "long password"},
        )
        headers = {"Authorization": f"Bearer {signed_up.json()['token']}"}
        flow_id = _publish(base, headers, signed_up.json()["projectId"])
        response = httpx.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 5, "b": 6}, timeout=30)
        assert response.status_code == 200, (tmp_path / "worker.log").read_text()
        assert response.json()["sum"] == 11
    finally:
        for process in (server, worker):
            process.send_signal(2)
        for process in (server, worker):
            process.wait(30)
        server_log.close()
        worker_log.close()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()
    assert "finished SUCCEEDED" in (tmp_path / "worker.log").read_text()


def test_worker_without_a_database_url_explains_team_mode(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PW_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "piecework", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "needs PW_DATABASE_URL" in result.stderr


def test_server_with_unreachable_database_says_so(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PW_DATABASE_URL": "postgresql://nobody:hunter2@127.0.0.1:1/none",
        "PW_JWT_SECRET": "z" * 40,
        "PW_ENCRYPTION_KEY": "ef" * 32,
    }
    result = subprocess.run(
        [sys.executable, "-m", "piecework", "server", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: Cannot connect to the database postgresql+psycopg://nobody:***@127.0.0.1:1/none"
    )
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_keep_alive_requests_are_not_delayed_by_nagle(server_process: ServerProcess) -> None:
    # Without TCP_NODELAY on the listening socket every keep-alive response took ~40 ms (delayed ACK).
    with httpx.Client() as client:
        client.get(server_process.url + "/api/v1/health")
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            client.get(server_process.url + "/api/v1/health")
            timings.append(time.perf_counter() - started)
    # Delayed ACKs hold back *every* keep-alive response by ~40 ms, so even the fastest of ten
    # shows the bug; the fastest is also what a busy shared machine leaves unaffected.
    assert min(timings) < 0.025, timings
