"""Real team-mode processes for end-to-end tests: `piecework server` and `piecework worker` on one
PostgreSQL, plus the HTTP calls the tests make against them."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from engine.model import Flow
from tests.pieces.local_http import free_port

#: Run statuses that may still change.
UNFINISHED = frozenset({"QUEUED", "RUNNING"})


def start_process(args: list[str], env: dict[str, str], log: Path) -> "subprocess.Popen[bytes]":
    """Starts `python -m piecework ARGS`, its output appended to `log`."""
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "piecework", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_for(check: Callable[[], object], timeout_s: float, what: str) -> None:
    """Calls `check` every 0.1 s until it returns something true."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def team_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a team: one database, one JWT secret, one encryption key."""
    return {
        **os.environ,
        "PW_DATABASE_URL": database_url,
        "PW_JWT_SECRET": "team-secret-" + "q" * 40,
        "PW_ENCRYPTION_KEY": "ab" * 32,
        "PW_SSRF_ALLOW_LIST": "127.0.0.1",
        **extra,
    }


@dataclass
class Team:
    """A running server and its workers, signed up as the first account."""

    tmp_path: Path
    env: dict[str, str]
    port: int
    server: "subprocess.Popen[bytes] | None" = None
    workers: "list[subprocess.Popen[bytes]]" = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    project_id: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def log(self, name: str) -> str:
        """The output of a process so far (`server`, `worker1`, ...)."""
        path = self.tmp_path / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def logs(self) -> str:
        """Every process's output, for assertion messages."""
        names = ["server", *(f"worker{i + 1}" for i in range(len(self.workers)))]
        return "\n".join(f"--- {name}\n{self.log(name)[-6000:]}" for name in names)

    def start_server(self) -> None:
        """Starts the server and waits until it answers."""
        server = start_process(
            ["server", "--port", str(self.port), "--data-dir", str(self.tmp_path / "s")],
            self.env,
            self.tmp_path / "server.log",
        )
        self.server = server

        def healthy() -> bool:
            assert server.poll() is None, self.logs()
            try:
                return httpx.get(f"{self.base}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 90, "the server")

    def start_worker(self) -> "subprocess.Popen[bytes]":
        """Starts one more worker; its log is `worker<n>`."""
        name = f"worker{len(self.workers) + 1}"
        worker = start_process(["worker"], self.env, self.tmp_path / f"{name}.log")
        self.workers.append(worker)
        return worker

    def sign_up(self) -> None:
        answer = httpx.post(
            f"{self.base}/authentication/sign-up",
            json={"email": "team@example.com", "password": "long password"},
        )
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}
        self.project_id = answer.json()["projectId"]

    def publish(self, steps: Flow | dict[str, Any]) -> str:
        """Creates, imports and publishes a flow; returns its id."""
        return publish_flow(self.base, self.headers, self.project_id, steps)

    def run(self, run_id: str) -> dict[str, Any]:
        answer = httpx.get(f"{self.base}/flow-runs/{run_id}", headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def wait_until_not(
        self, run_id: str, statuses: frozenset[str] | set[str], timeout_s: float = 60
    ) -> dict[str, Any]:
        """The run once its status is none of `statuses`."""
        found: dict[str, Any] = {}

        def moved_on() -> bool:
            found.update(self.run(run_id))
            return found["status"] not in statuses

        wait_for(moved_on, timeout_s, f"run {run_id} to leave {sorted(statuses)}\n{self.logs()}")
        return found

    def stop(self) -> None:
        """Stops every process as Ctrl+C would (killing any that hangs)."""
        processes = [p for p in (self.server, *self.workers) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def publish_flow(
    base: str, headers: dict[str, str], project_id: str, steps: Flow | dict[str, Any]
) -> str:
    """Creates, imports and publishes a flow (a Flow or its JSON) through the API; returns its id."""
    document = steps.model_dump(mode="json") if isinstance(steps, Flow) else steps
    created = httpx.post(
        f"{base}/flows",
        json={"displayName": document.get("displayName", "E2E"), "projectId": project_id},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    flow_id = str(created.json()["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        answer = httpx.post(f"{base}/flows/{flow_id}", json=operation, headers=headers)
        assert answer.status_code == 200, answer.text
    return flow_id


@contextlib.contextmanager
def team(tmp_path: Path, database_url: str, *, workers: int = 1, **env: str) -> Iterator[Team]:
    """A signed-up team: a server and `workers` worker processes, stopped afterwards."""
    running = Team(tmp_path=tmp_path, env=team_env(database_url, **env), port=free_port())
    try:
        running.start_server()
        for _ in range(workers):
            running.start_worker()
        running.sign_up()
        yield running
    finally:
        running.stop()
