"""Desktop benchmark (offscreen): start-up to the flows list, opening a 200-step flow, GUI memory.

Starts a real `piecework server` on a temporary data dir, imports a 200-step flow through the
API, then starts the desktop app in a fresh process (`--gui`) several times. Each GUI process
reports when its flows list is drawn, how long opening the big flow took (HTTP read + document
+ layout + scene) and the layout/drawing alone, and its peak RSS.

    .venv/bin/python bench/desktop.py [--runs 5]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def gui(data_dir: Path, flow_id: str) -> None:
    """The measured process: the real app's start-up path, then opening the big flow."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.main_window import MainWindow

    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result: dict[str, float] = {"imported_at": time.time()}
    window = MainWindow(data_dir=data_dir)
    window.show()
    show_flows = window.flows_panel.show_flows

    def shown(flows: list[Any]) -> None:
        show_flows(flows)
        app.processEvents()  # painted
        result.setdefault("listed_at", time.time())

    window.flows_panel.show_flows = shown  # type: ignore[method-assign]

    async def main() -> None:
        await window.start(start_server=False)
        result["ready_at"] = time.time()
        started = time.perf_counter()
        builder = await window.workspace.open_flow(flow_id)
        app.processEvents()
        result["open_s"] = time.perf_counter() - started
        assert builder is not None
        started = time.perf_counter()
        builder.refresh()
        result["draw_s"] = time.perf_counter() - started
        result["steps"] = len(builder.scene.step_items) - 1
        for open_builder in window.workspace.builders.values():
            open_builder.saves.close()
        await window.close_client()

    loop.run_until_complete(main())
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip Qt's teardown at interpreter exit (it can abort offscreen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gui", nargs=2, metavar=("DATA_DIR", "FLOW_ID"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gui:
        gui(Path(args.gui[0]), args.gui[1])
        return
    # Imported here, not at the top: the measured GUI process must not load the server.
    from tests.conftest import start_server_process, stop_server_process

    data_dir = Path(tempfile.mkdtemp(prefix="pw-bench-desktop-")) / "data"
    server = start_server_process(data_dir)
    try:
        flow_id = _import_big_flow(server.url, server.token)
        samples = [_one_run(data_dir, flow_id) for _ in range(args.runs)]
    finally:
        stop_server_process(server)
    for key, label, unit in (
        ("startup_s", "process start → flows list shown", "s"),
        ("imports_s", "  of which Python start and imports (Qt, pydantic models)", "s"),
        ("pieces_s", "piece catalog loaded after the list", "s"),
        ("open_s", "open the 200-step flow (HTTP + document + layout + scene)", "s"),
        ("draw_s", "lay out and draw it again (no I/O)", "s"),
        ("max_rss_mb", "GUI process peak RSS", "MB"),
    ):
        values = [s[key] for s in samples]
        sys.stdout.write(
            f"{label}: median {statistics.median(values):.3f} {unit}, max {max(values):.3f} {unit}\n"
        )


def _import_big_flow(url: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    base = url + "/api/v1"
    project = httpx.get(f"{base}/projects", headers=headers).json()["data"][0]["id"]
    flow = httpx.post(
        f"{base}/flows", json={"displayName": "Big", "projectId": project}, headers=headers
    ).json()
    from tests.desktop.big_flow import big_flow

    document = big_flow(200).model_dump(mode="json")
    answer = httpx.post(
        f"{base}/flows/{flow['id']}",
        json={"type": "IMPORT_FLOW", "request": document},
        headers=headers,
        timeout=30,
    )
    answer.raise_for_status()
    return str(flow["id"])


def _one_run(data_dir: Path, flow_id: str) -> dict[str, float]:
    started = time.time()
    output = subprocess.run(
        [sys.executable, __file__, "--gui", str(data_dir), flow_id],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ).stdout
    sample: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    sample["startup_s"] = sample["listed_at"] - started
    sample["imports_s"] = sample["imported_at"] - started
    sample["pieces_s"] = sample["ready_at"] - sample["listed_at"]
    return sample


if __name__ == "__main__":
    main()
