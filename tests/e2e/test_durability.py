"""Durability with real processes: workers killed with SIGKILL mid-step, two workers sharing
one schedule. Side effects are counted by a local HTTP server the steps call."""

import signal
import threading
from collections import Counter
from pathlib import Path

import httpx
import psutil
import psycopg

from engine.model import PieceStep
from tests.e2e.processes import team, wait_for
from tests.engine.builders import flow, piece
from tests.pieces.local_http import Received, Reply, local_http_server
from tests.server.test_schedules import scheduled_flow


def call(name: str, url: str) -> PieceStep:
    """A step whose only effect is one GET of `url/name` (counted by the local server)."""
    return piece(name, "http", "send_request", method="GET", url=f"{url}/{name}")


def test_each_step_runs_once_and_the_one_in_flight_at_most_twice_across_worker_kills(
    tmp_path: Path, database_url: str
) -> None:
    hits: Counter[str] = Counter()
    #: Steps that hang until the worker running them has been killed.
    blocking = {"/first_hang": threading.Event(), "/second_hang": threading.Event()}

    def count(request: Received) -> Reply:
        hits[request.path] += 1
        release = blocking.get(request.path)
        if release is not None:
            release.wait(60)
        return Reply.json({"path": request.path})

    with (
        local_http_server(count) as side_effects,
        team(tmp_path, database_url, PW_WORKER_STALLED_SECONDS="3") as running,
    ):
        names = ["before", "first_hang", "middle", "second_hang", "after"]
        flow_id = running.publish(flow(*(call(n, side_effects.url) for n in names)))
        run_id = httpx.post(f"{running.base}/webhooks/{flow_id}", json={}).json()["runId"]
        try:
            for hang in ("/first_hang", "/second_hang"):
                wait_for(lambda hang=hang: hits[hang] >= 1, 60, f"{hang} in flight")  # type: ignore[misc]
                worker = running.workers[-1]
                worker.send_signal(signal.SIGKILL)  # mid-step: the request is still unanswered
                worker.wait(10)
                blocking[hang].set()
                running.start_worker()
        finally:
            for release in blocking.values():
                release.set()

        run = running.wait_until_not(run_id, {"QUEUED", "RUNNING"}, timeout_s=90)
        assert run["status"] == "SUCCEEDED", running.logs()
        assert {name: hits[f"/{name}"] for name in names} == {
            "before": 1,  # recorded before the first kill: replayed, not run again
            "first_hang": 2,  # in flight at the first kill: run again once
            "middle": 1,
            "second_hang": 2,
            "after": 1,
        }
        assert "continues from its log" in running.log("worker2") + running.log("worker3")


def test_a_killed_worker_takes_its_engine_processes_and_their_run_with_it(
    tmp_path: Path, database_url: str
) -> None:
    hits: Counter[str] = Counter()
    release = threading.Event()

    def count(request: Received) -> Reply:
        hits[request.path] += 1
        if request.path == "/hang":
            release.wait(60)
        return Reply.json({"path": request.path})

    with (
        local_http_server(count) as side_effects,
        team(tmp_path, database_url) as running,
    ):
        flow_id = running.publish(
            flow(call("hang", side_effects.url), call("next", side_effects.url))
        )
        httpx.post(f"{running.base}/webhooks/{flow_id}", json={})
        try:
            wait_for(lambda: hits["/hang"] >= 1, 60, "/hang in flight")
            worker = running.workers[-1]
            # The run is in an engine process (the forkserver's child), not in the worker.
            started = psutil.Process(worker.pid).children(recursive=True)
            engines = [p for p in started if p.ppid() != worker.pid]
            assert engines, [p.cmdline() for p in started]
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            wait_for(
                lambda: not any(p.is_running() and p.status() != "zombie" for p in started),
                5,
                "every process of the killed worker to end",
            )
        finally:
            release.set()
        threading.Event().wait(1.0)
        # The engine that ran /hang did not go on with the run once its worker was gone.
        assert hits == Counter({"/hang": 1}), running.logs()
    assert "runs in engine processes" in running.log("worker1")


def test_two_workers_fire_a_schedule_once_per_tick(tmp_path: Path, database_url: str) -> None:
    with team(tmp_path, database_url, workers=2) as running:
        flow_id = running.publish(
            scheduled_flow(
                # Its own ticks come once a year, so every tick here is one the test makes due
                # (with "every minute", a minute boundary inside the test fired one more run).
                "cron_expression",
                {"cronExpression": "0 0 1 1 *", "timezone": "UTC"},
                piece("tick", "store", "increment", key="ticks", value=1),
            )
        )
        ticks = 5
        with psycopg.connect(running.env["PW_DATABASE_URL"], autocommit=True) as conn:
            for tick in range(ticks):
                # Make the schedule due now, as if a minute had passed; both workers look every second.
                conn.execute(
                    "UPDATE trigger_sources SET next_fire_at = now() WHERE flow_id = %s",
                    (flow_id,),
                )

                def fired(tick: int = tick) -> bool:
                    count = conn.execute(
                        "SELECT count(*) FROM flow_runs WHERE flow_id = %s", (flow_id,)
                    ).fetchone()
                    return count is not None and count[0] >= tick + 1

                wait_for(fired, 20, f"tick {tick}")
                threading.Event().wait(2.5)  # both workers pass over the schedule again
            runs = conn.execute(
                "SELECT id, status FROM flow_runs WHERE flow_id = %s", (flow_id,)
            ).fetchall()
        assert len(runs) == ticks, running.logs()
        for run_id, _ in runs:
            assert running.wait_until_not(str(run_id), {"QUEUED", "RUNNING"})["status"] == (
                "SUCCEEDED"
            )
        store = httpx.get(
            f"{running.base}/store-entries",
            params={"key": f"flow_{flow_id}/ticks", "projectId": running.project_id},
            headers=running.headers,
        )
        assert store.json()["value"] == ticks
