"""Bad input against real processes: garbage webhook bodies, resume calls that cannot resume,
and a sync caller that gives up before the run ends. Never a 500, never a lost run."""

from pathlib import Path

import httpx

from tests.e2e.processes import team
from tests.engine.builders import code, flow, piece


def test_garbage_bodies_reach_the_run_raw_or_get_413_and_bad_resumes_get_404_or_409(
    tmp_path: Path, database_url: str
) -> None:
    with team(tmp_path, database_url, PW_MAX_WEBHOOK_PAYLOAD_MB="25") as running:
        echo = code(
            "echo", "export const code = async (inputs) => inputs.body", body="{{trigger.body}}"
        )
        flow_id = running.publish(flow(echo))
        url = f"{running.base}/webhooks/{flow_id}"
        json_type = {"content-type": "application/json"}
        sent = {
            "not json": httpx.post(url, content=b'{"a": 1,,', headers=json_type),
            "binary": httpx.post(url, content=bytes(range(256)) * 4, headers=json_type),
            "octets": httpx.post(
                url, content=b"\x00\x01\xff", headers={"content-type": "application/octet-stream"}
            ),
        }
        huge = httpx.post(url, content=b"x" * (30 * 1024 * 1024), headers=json_type, timeout=60)
        assert huge.status_code == 413, huge.text
        assert huge.json()["code"] == "PAYLOAD_TOO_LARGE"
        assert "PW_MAX_WEBHOOK_PAYLOAD_MB" in huge.json()["message"]
        for name, answer in sent.items():
            assert answer.status_code == 200, (name, answer.text)
        outputs = {
            name: running.wait_until_not(answer.json()["runId"], {"QUEUED", "RUNNING"})
            for name, answer in sent.items()
        }
        assert {name: run["status"] for name, run in outputs.items()} == dict.fromkeys(
            sent, "SUCCEEDED"
        ), running.logs()
        assert outputs["not json"]["steps"]["echo"]["output"] == '{"a": 1,,'
        assert outputs["binary"]["steps"]["echo"]["output"]["contentType"] == "application/json"
        assert outputs["octets"]["steps"]["echo"]["output"] == {
            "base64": "AAH/",
            "contentType": "application/octet-stream",
        }

        unknown = httpx.post(f"{running.base}/flow-runs/nope/waitpoints/nope", json={})
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "WAITPOINT_NOT_FOUND"
        waiting = running.publish(flow(piece("wait", "approval", "wait_for_approval")))
        run_id = httpx.post(f"{running.base}/webhooks/{waiting}", json={}).json()["runId"]
        paused = running.wait_until_not(run_id, {"QUEUED", "RUNNING"})
        waitpoint_id = paused["pause"]["waitpoint"]["id"]
        other_run = httpx.post(
            f"{running.base}/flow-runs/{sent['binary'].json()['runId']}/waitpoints/{waitpoint_id}"
        )
        assert other_run.status_code == 404  # a waitpoint of another run
        cancelled = httpx.post(f"{running.base}/flow-runs/{run_id}/cancel", headers=running.headers)
        assert cancelled.status_code == 200, cancelled.text
        finished = httpx.post(
            f"{running.base}/flow-runs/{run_id}/waitpoints/{waitpoint_id}/sync", json={}
        )
        assert finished.status_code == 409, finished.text
        assert "Traceback" not in running.log("server")
        assert "Traceback" not in running.log("worker1")


def test_a_sync_caller_gets_408_and_the_run_still_finishes(
    tmp_path: Path, database_url: str
) -> None:
    with team(tmp_path, database_url, PW_WEBHOOK_TIMEOUT_SECONDS="1") as running:
        slow = "export const code = async () => { await new Promise((r) => setTimeout(r, 3000)); return 'late' }"
        flow_id = running.publish(flow(code("slow", slow)))
        answer = httpx.post(f"{running.base}/webhooks/{flow_id}/sync", json={}, timeout=30)
        assert answer.status_code == 408, answer.text
        assert "did not answer within 1 s" in answer.json()["message"]
        run = running.wait_until_not(answer.json()["runId"], {"QUEUED", "RUNNING"})
        assert run["status"] == "SUCCEEDED", running.logs()
        assert run["steps"]["slow"]["output"] == "late"
