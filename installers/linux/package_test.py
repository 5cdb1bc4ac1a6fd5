"""`make package-test`: install the .deb and use the installed app as a person would.

Installs dist/piecework_*.deb (`dpkg -i` as root, removed again at the end; otherwise unpacked
into a temporary root), then runs the installed binary: `--version`, `server` on a temporary data
dir (the embedded PostgreSQL starts from inside the bundle), sign-up, import and publish of a
webhook → code (Deno) → return response flow, a sync webhook call, a restart on the same data,
and the desktop app (offscreen, then under Xvfb for a screenshot in test-artifacts/).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE = "resources/samples/add_numbers_webhook.json"
_T = TypeVar("_T")


def main() -> int:
    started = time.monotonic()
    debs = sorted((ROOT / "dist").glob("piecework_*.deb"))
    if not debs:
        print("error: no dist/piecework_*.deb; run make deb", file=sys.stderr)
        return 1
    deb = debs[-1]
    print(f"package-test: {deb.name} ({deb.stat().st_size / 1e6:.0f} MB)")
    with installed(deb) as binary, tempfile.TemporaryDirectory(prefix="pw-pkgtest-") as tmp:
        step("version", lambda: check_version(binary))
        data_dir = Path(tmp) / "data"
        server = step("server starts", lambda: start_server(binary, data_dir))
        try:
            step("flow with a Deno code step", lambda: run_flow(server.url, binary))
            step("desktop (offscreen)", lambda: desktop_offscreen(binary, data_dir))
            step("desktop screenshot (Xvfb)", lambda: desktop_screenshot(binary, data_dir))
        finally:
            code = server.stop()
        assert code == 0, f"server exit code {code}:\n{server.log()}"
        assert "Piecework server stopped." in server.log(), server.log()
        step("restart keeps the data", lambda: restart(binary, data_dir))
    print(f"package-test passed in {time.monotonic() - started:.0f} s")
    return 0


def step(name: str, action: Callable[[], _T]) -> _T:
    began = time.monotonic()
    result = action()
    print(f"  ok  {name} ({time.monotonic() - began:.1f} s)", flush=True)
    return result


@contextlib.contextmanager
def installed(deb: Path) -> Iterator[Path]:
    """Installs the package (root: into the system, then removes it) and yields the binary."""
    if os.geteuid() == 0 and shutil.which("dpkg"):
        subprocess.run(["dpkg", "-i", str(deb)], check=True, stdout=subprocess.DEVNULL)
        try:
            binary = Path("/usr/bin/piecework")
            assert Path("/opt/piecework/piecework").is_file()
            assert Path("/usr/share/applications/piecework.desktop").is_file()
            yield binary
        finally:
            subprocess.run(["dpkg", "-r", "piecework"], check=True, stdout=subprocess.DEVNULL)
            assert not Path("/opt/piecework/piecework").exists(), "dpkg -r left the app behind"
        return
    with tempfile.TemporaryDirectory(prefix="pw-deb-root-") as root:
        subprocess.run(["dpkg-deb", "-x", str(deb), root], check=True)
        # The wrapper in usr/bin points at /opt; unpacked elsewhere, run the bundle directly.
        yield Path(root) / "opt" / "piecework" / "piecework"


def check_version(binary: Path) -> None:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    expected = _project_version()
    assert out.stdout.strip() == f"piecework {expected}", out.stdout


@dataclass
class Server:
    process: "subprocess.Popen[bytes]"
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -9


def start_server(binary: Path, data_dir: Path) -> Server:
    port = _free_port()
    log_path = data_dir.parent / "server-output.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PW_")}
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


def run_flow(url: str, binary: Path) -> None:
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
    # The sample ships inside the bundle: this also proves resources are collected.
    document = json.loads((_bundle_dir(binary) / "_internal" / SAMPLE).read_text(encoding="utf-8"))
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


def desktop_offscreen(binary: Path, data_dir: Path) -> None:
    env = {**_clean_env(), "QT_QPA_PLATFORM": "offscreen"}
    log_path = data_dir.parent / "desktop-offscreen.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(binary), "desktop", "--data-dir", str(data_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    time.sleep(6)
    alive = process.poll() is None
    process.terminate()
    process.wait(20)
    assert alive, log_path.read_text(encoding="utf-8", errors="replace")


def desktop_screenshot(binary: Path, data_dir: Path) -> None:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        print("      (no Xvfb: screenshot skipped; scripts/sysdeps.sh installs it)")
        return
    display = f":{_free_display()}"
    server = subprocess.Popen(
        [xvfb, display, "-screen", "0", "1100x720x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log_path = data_dir.parent / "desktop-xcb.log"
    try:
        time.sleep(1.5)
        env = {**_clean_env(), "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        with log_path.open("wb") as log:
            app = subprocess.Popen(
                [str(binary), "desktop", "--data-dir", str(data_dir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            time.sleep(10)
            assert app.poll() is None, log_path.read_text(encoding="utf-8", errors="replace")
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / "package-test-desktop.png"
            # A Qt program of the build environment grabs the whole X screen.
            subprocess.run(
                [sys.executable, "-c", _GRAB, str(target)],
                env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                check=True,
                timeout=60,
            )
            print(f"      screenshot: {target.relative_to(ROOT)}")
        finally:
            app.terminate()
            app.wait(20)
    finally:
        server.terminate()
        server.wait(10)


_GRAB = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
shot = app.primaryScreen().grabWindow(0)
assert not shot.isNull() and shot.save(sys.argv[1]), "grab failed"
"""


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
        assert server.stop() == 0, server.log()


def _bundle_dir(binary: Path) -> Path:
    if binary == Path("/usr/bin/piecework"):
        return Path("/opt/piecework")
    return binary.parent


def _project_version() -> str:
    init = (ROOT / "piecework" / "__init__.py").read_text(encoding="utf-8")
    return init.split('__version__ = "', 1)[1].split('"', 1)[0]


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PW_", "QT_"))}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise AssertionError("no free X display number")


if __name__ == "__main__":
    sys.exit(main())
