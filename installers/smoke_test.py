"""Smoke test of an installed Piecework, on any OS: what CI runs after installing each installer.

    python installers/smoke_test.py --binary PATH [--bundle-dir DIR]

Runs the installed binary: `--version`, `server` on a temporary data dir (the embedded PostgreSQL
starts from inside the bundle), sign-up, import and publish of a webhook → code (Deno) → return
response flow, a sync webhook call, a clean stop, and a restart on the same data.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "add_numbers_webhook.json"
_T = TypeVar("_T")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, required=True, help="the installed piecework binary")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pw-smoke-") as tmp:
        data_dir = Path(tmp) / "data"
        step("version", lambda: check_version(args.binary))
        step("run a flow file (engine and Deno, no server)", lambda: run_file(args.binary))
        step("worker command", lambda: check_worker(args.binary))
        server = step("server starts", lambda: start_server(args.binary, data_dir))
        try:
            step("flow with a Deno code step", lambda: run_flow(server.url))
        finally:
            server.stop()
        step("restart keeps the data", lambda: restart(args.binary, data_dir))
    print(f"smoke test passed in {time.monotonic() - started:.0f} s")
    return 0


def step(name: str, action: Callable[[], _T]) -> _T:
    """Runs one check and prints its name and duration."""
    began = time.monotonic()
    result = action()
    print(f"  ok  {name} ({time.monotonic() - began:.1f} s)", flush=True)
    return result


def check_version(binary: Path) -> None:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    expected = _project_version()
    assert out.stdout.strip() == f"piecework {expected}", out.stdout


def run_file(binary: Path) -> None:
    """`piecework run` of the sample: the engine and the bundled Deno, without a server."""
    out = subprocess.run(
        [str(binary), "run", str(SAMPLE), "--payload", '{"a": 2, "b": 3}'],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["status"] == "SUCCEEDED", result
    assert result["steps"]["step_1"]["output"] == {"sum": 5, "product": 6}, result


def check_worker(binary: Path) -> None:
    """`piecework worker` is the same binary; without a team database it says what it needs."""
    out = subprocess.run(
        [str(binary), "worker"], capture_output=True, text=True, timeout=60, env=_env()
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "needs PW_DATABASE_URL" in out.stderr, out.stderr


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PW_")}


@dataclass
class Server:
    process: "subprocess.Popen[bytes]"
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """Ctrl+C (a plain terminate on Windows); the exit code, 0 after a clean stop."""
        if sys.platform == "win32":
            self.process.terminate()
        else:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9
        if sys.platform != "win32":
            assert code == 0, f"server exit code {code}:\n{self.log()}"
            assert "Piecework server stopped." in self.log(), self.log()
        return code


def start_server(binary: Path, data_dir: Path) -> Server:
    port = _free_port()
    log_path = data_dir.parent / "server-output.log"
    env = _env()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(binary), "server", "--data-dir", str(data_dir), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited {process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/api/v1/health", timeout=2).status_code == 200:
                return server
        time.sleep(0.25)
    server.stop()
    raise AssertionError(f"server did not answer within 120 s:\n{server.log()}")


def run_flow(url: str) -> None:
    base = f"{url}/api/v1"
    signed_up = httpx.post(
        f"{base}/authentication/sign-up",
        json={"email": "pkg@example.com", "password": "a-long-password", "firstName": "Pkg"},
    )
    assert signed_up.status_code == 200, signed_up.text
    headers = {"Authorization": f"Bearer {signed_up.json()['token']}"}
    flow = httpx.post(
        f"{base}/flows",
        json={"displayName": "Package test", "projectId": signed_up.json()["projectId"]},
        headers=headers,
    )
    assert flow.status_code == 201, flow.text
    flow_id = flow.json()["id"]
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        answer = httpx.post(f"{base}/flows/{flow_id}", json=operation, headers=headers)
        assert answer.status_code == 200, answer.text
    answer = httpx.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 20, "b": 22}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"sum": 42, "product": 440, "message": "a + b = 42"}, answer.text
    pieces = httpx.get(f"{base}/pieces", headers=headers)
    names = {piece["name"] for piece in pieces.json()["data"]}
    assert {"webhook", "http", "store", "csv"} <= names, names


def restart(binary: Path, data_dir: Path) -> None:
    marker = json.loads((data_dir / "piecework-version.json").read_text(encoding="utf-8"))
    assert marker["appVersion"] == _project_version(), marker
    server = start_server(binary, data_dir)
    try:
        again = httpx.post(
            f"{server.url}/api/v1/authentication/sign-in",
            json={"email": "pkg@example.com", "password": "a-long-password"},
        )
        assert again.status_code == 200, again.text
    finally:
        server.stop()


def _project_version() -> str:
    init = (ROOT / "piecework" / "__init__.py").read_text(encoding="utf-8")
    return init.split('__version__ = "', 1)[1].split('"', 1)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
