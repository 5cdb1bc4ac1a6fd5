"""PostgreSQL restarted under a running team: requests get a clear 503 while it is down, then the
server and the worker reconnect by themselves and runs go on."""

import asyncio
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.embedded_pg import EmbeddedPostgres
from tests.e2e.processes import team, wait_for
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server


@pytest.fixture
def own_postgres() -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own, which it may stop and start (not the shared one)."""
    # Not under tmp_path: the server runs as another user that must reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="pw-test-restart-"))
    postgres = EmbeddedPostgres(directory)
    try:
        yield postgres
    finally:
        asyncio.run(postgres.stop())
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.timeout(300)
def test_server_and_worker_carry_on_after_postgres_restarts(
    tmp_path: Path, own_postgres: EmbeddedPostgres
) -> None:
    hits: Counter[str] = Counter()

    def count(request: Received) -> Reply:
        hits[request.path] += 1
        return Reply.json({"ok": True})

    url = asyncio.run(own_postgres.start())
    with (
        local_http_server(count) as side_effects,
        team(tmp_path, url, PW_WORKER_STALLED_SECONDS="3") as running,
    ):
        flow_id = running.publish(
            flow(
                piece(
                    "call",
                    "http",
                    "send_request",
                    url=f"{side_effects.url}/n/{{{{trigger.body.n}}}}",
                )
            )
        )
        webhook = f"{running.base}/webhooks/{flow_id}"
        before = httpx.post(webhook, json={"n": 0}).json()["runId"]
        assert running.wait_until_not(before, {"QUEUED", "RUNNING"})["status"] == "SUCCEEDED"

        asyncio.run(own_postgres.stop())
        down = httpx.post(webhook, json={"n": 99}, timeout=30)
        assert down.status_code == 503, down.text
        assert down.json()["code"] == "DATABASE_UNAVAILABLE"
        assert "try again" in down.json()["message"]
        assert httpx.get(f"{running.base}/health", timeout=30).status_code == 503
        # Down long enough for the worker's heartbeat (every second here) to fail.
        wait_for(lambda: "lost its database" in running.log("worker1"), 40, "the worker to notice")

        asyncio.run(own_postgres.start())
        wait_for(
            lambda: httpx.get(f"{running.base}/health", timeout=5).status_code == 200,
            60,
            "the server to reach the database again",
        )
        back = time.monotonic()
        run_ids = []
        refused = 0
        for n in range(1, 6):
            # Right after the restart the queue's pool may still be waiting to reconnect: such
            # calls get 503 (and leave no run behind); the caller sends again, as told.
            while (answer := httpx.post(webhook, json={"n": n}, timeout=30)).status_code == 503:
                assert answer.json()["code"] == "DATABASE_UNAVAILABLE"
                refused += 1
                assert time.monotonic() - back < 90, "webhooks still refused 90 s after the restart"
                time.sleep(1)
            assert answer.status_code == 200, answer.text
            run_ids.append(answer.json()["runId"])
        sys.stdout.write(
            f"after the restart: {refused} calls refused, {time.monotonic() - back:.1f} s\n"
        )
        for run_id in run_ids:
            run = running.wait_until_not(run_id, {"QUEUED", "RUNNING"}, timeout_s=60)
            assert run["status"] == "SUCCEEDED", running.logs()
        synced = httpx.post(f"{webhook}/sync", json={"n": 6}, timeout=30)
        assert synced.status_code in {200, 204}, synced.text
        assert all(process.poll() is None for process in running.workers), running.logs()
        # One run per accepted call; the refused ones (99, and retried ones) left none.
        assert hits == Counter({f"/n/{n}": 1 for n in range(7)})
