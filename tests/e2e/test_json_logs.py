"""Structured logs of real processes: with PW_LOG_FORMAT=json every line is one JSON object,
lines about a run name it, and no secret reaches a log at any level."""

import json
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.processes import team
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server

SECRET = "sk-never-log-" + "7" * 24


def _lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.strip():
            parsed = json.loads(line)  # fails the test on any line that is not JSON
            assert isinstance(parsed, dict), line
            assert {"time", "level", "logger", "message"} <= parsed.keys(), line
            lines.append(parsed)
    return lines


def test_json_logs_name_the_run_and_keep_secrets_out(tmp_path: Path, database_url: str) -> None:
    received: list[Received] = []

    def refuse(request: Received) -> Reply:
        received.append(request)
        return Reply.json({"error": "down"}, status=500)

    with (
        local_http_server(refuse) as vendor,
        team(tmp_path, database_url, PW_LOG_FORMAT="json", PW_LOG_LEVEL="DEBUG") as running,
    ):
        connection = httpx.post(
            f"{running.base}/app-connections",
            json={
                "externalId": "vendor",
                "displayName": "Vendor",
                "pieceName": "vendor_not_installed",
                "projectId": running.project_id,
                "type": "SECRET_TEXT",
                "value": {"type": "SECRET_TEXT", "secret_text": SECRET},
            },
            headers=running.headers,
        )
        assert connection.status_code == 201, connection.text
        flow_id = running.publish(
            flow(
                piece(
                    "call",
                    "http",
                    "send_request",
                    url=f"{vendor.url}/api",
                    headers={"Authorization": "Bearer {{connections['vendor']}}"},
                )
            )
        )
        run_id = httpx.post(f"{running.base}/webhooks/{flow_id}", json={}).json()["runId"]
        run = running.wait_until_not(run_id, {"QUEUED", "RUNNING"})
        assert run["status"] == "FAILED", run
        assert SECRET in received[0].headers["authorization"]  # the step used it
        server_log, worker_log = running.log("server"), running.log("worker1")

    server_lines, worker_lines = _lines(server_log), _lines(worker_log)
    assert any("running at" in line["message"] for line in server_lines)
    about_run = [line for line in worker_lines if line.get("runId") == run_id]
    assert any("finished FAILED" in line["message"] for line in about_run), worker_log[-3000:]
    assert {(line["flowId"], line["projectId"]) for line in about_run} == {
        (flow_id, running.project_id)
    }
    assert not [
        line for line in worker_lines if "finished" in line["message"] and "runId" not in line
    ]
    token = running.headers["Authorization"].removeprefix("Bearer ")
    for secret in (
        SECRET,
        "long password",
        running.env["PW_JWT_SECRET"],
        running.env["PW_ENCRYPTION_KEY"],
        token,
    ):
        assert secret not in server_log
        assert secret not in worker_log
