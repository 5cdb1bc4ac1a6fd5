"""`make package-test`: install the .deb and use the installed app as a person would.

Installs dist/piecework_*.deb (`dpkg -i` as root, purged again at the end; otherwise unpacked
into a temporary root), then runs the installed binary: `--version`, `server` on a temporary data
dir (the embedded PostgreSQL starts from inside the bundle), sign-up, import and publish of a
webhook → code (Deno) → return response flow, a sync webhook call, a restart on the same data,
and the desktop app (offscreen, then under Xvfb for a screenshot in test-artifacts/).
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from smoke_test import (
    check_version,
    check_worker,
    restart,
    run_file,
    run_flow,
    start_server,
    step,
)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


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
        step("run a flow file (engine and Deno, no server)", lambda: run_file(binary))
        step("worker command", lambda: check_worker(binary))
        data_dir = Path(tmp) / "data"
        server = step("server starts", lambda: start_server(binary, data_dir))
        try:
            step("flow with a Deno code step", lambda: run_flow(server.url))
            step("the sample flow ships in the bundle", lambda: check_resources(binary))
            step("desktop (offscreen)", lambda: desktop_offscreen(binary, data_dir))
            step("desktop screenshot (Xvfb)", lambda: desktop_screenshot(binary, data_dir))
        finally:
            server.stop()
        step("restart keeps the data", lambda: restart(binary, data_dir))
        step("desktop starts its own server", lambda: desktop_starts_server(binary, Path(tmp)))
        step("a data dir of a newer version: dialog", lambda: newer_data_dir(binary, Path(tmp)))
    print(f"package-test passed in {time.monotonic() - started:.0f} s")
    return 0


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
            subprocess.run(["dpkg", "--purge", "piecework"], check=True, stdout=subprocess.DEVNULL)
            assert not Path("/opt/piecework/piecework").exists(), "dpkg --purge left the app behind"
        return
    with tempfile.TemporaryDirectory(prefix="pw-deb-root-") as root:
        subprocess.run(["dpkg-deb", "-x", str(deb), root], check=True)
        # The wrapper in usr/bin points at /opt; unpacked elsewhere, run the bundle directly.
        yield Path(root) / "opt" / "piecework" / "piecework"


def check_resources(binary: Path) -> None:
    sample = (
        _bundle_dir(binary) / "_internal" / "resources" / "samples" / "add_numbers_webhook.json"
    )
    assert json.loads(sample.read_text(encoding="utf-8"))["steps"][0]["type"] == "CODE"


def desktop_starts_server(binary: Path, tmp: Path) -> None:
    # With no server running, the desktop starts `piecework server` itself: the frozen app's own
    # binary, not `python -m piecework`.
    data_dir = tmp / "desktop-data"
    env = {**_clean_env(), "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen(
        [str(binary), "desktop", "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    info_path = data_dir / "server.json"
    try:
        deadline = time.monotonic() + 120
        while not info_path.exists() and time.monotonic() < deadline:
            assert app.poll() is None, "the desktop app exited"
            time.sleep(0.25)
        assert info_path.exists(), (data_dir / "server.log").read_text(errors="replace")
    finally:
        app.terminate()
        app.wait(20)
    pid = json.loads(info_path.read_text(encoding="utf-8"))["pid"]
    os.kill(pid, 2)
    deadline = time.monotonic() + 60
    while info_path.exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not info_path.exists(), "the desktop's server did not stop"


def newer_data_dir(binary: Path, tmp: Path) -> None:
    # The server refuses and changes nothing; the desktop shows its message in a dialog.
    data_dir = tmp / "newer-data"
    data_dir.mkdir()
    marker = data_dir / "piecework-version.json"
    marker.write_text('{"appVersion": "999.0.0"}', encoding="utf-8")
    out = subprocess.run(
        [str(binary), "server", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_env(),
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "last used by Piecework 999.0.0" in out.stderr, out.stderr
    assert not (data_dir / "pgdata").exists()
    server_log = data_dir / "server.log"
    desktop_screenshot(
        binary,
        data_dir,
        "package-test-newer-data-dialog.png",
        ready=lambda: server_log.exists() and "error:" in server_log.read_text(encoding="utf-8"),
        wait_s=90,
    )
    assert "error: The data in" in (data_dir / "server.log").read_text(encoding="utf-8")
    assert marker.read_text(encoding="utf-8") == '{"appVersion": "999.0.0"}'


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


def desktop_screenshot(
    binary: Path,
    data_dir: Path,
    name: str = "package-test-desktop.png",
    ready: Callable[[], bool] = lambda: False,
    wait_s: float = 10,
) -> None:
    """Runs the desktop under Xvfb and saves a screenshot once `ready()` (or after `wait_s`)."""
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
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline and not ready():
                time.sleep(0.25)
            time.sleep(2 if ready() else 0)
            assert app.poll() is None, log_path.read_text(encoding="utf-8", errors="replace")
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / name
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


def _bundle_dir(binary: Path) -> Path:
    if binary == Path("/usr/bin/piecework"):
        return Path("/opt/piecework")
    return binary.parent


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PW_", "QT_"))}


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
