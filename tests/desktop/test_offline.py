"""The server going away and coming back: an offline banner, then reconnected with no edit lost."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.conftest import SAMPLES, ServerProcess, start_server_process, stop_server_process
from tests.desktop.gui_helpers import run, until


def _code_step() -> tuple[Any, Any]:
    from desktop.document.placement import Placement
    from desktop.document.step_factory import StepChoice

    return StepChoice(kind="CODE", display_name="Code"), Placement(parent="trigger")


def test_stopped_server_shows_offline_and_reconnects_without_losing_edits(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    artifacts_dir: Path,
) -> None:
    # The background health check is off here: with the test driving the loop call by call, a
    # check in flight while the loop is paused cannot resume (qasync), so the test checks itself.
    window = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(window)
    window.resize(1200, 700)
    window.show()
    assert run(qt_loop, window.start(start_server=False))
    assert run(qt_loop, window.flows.create("Keeps its edits"))
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    builder = run(qt_loop, window.workspace.open_flow(flow_id))
    assert builder is not None

    # Started and stopped from the loop (in a thread): the app's loop always runs, and a request
    # of the health check in flight while a test's loop is paused cannot resume (qasync).
    run(qt_loop, asyncio.to_thread(stop_server_process, server_process))
    assert not run(qt_loop, window.refresh())
    assert window.offline_banner.isVisible()
    assert not run(qt_loop, window.reconnect())
    assert "Offline." in window.offline_banner.text()
    assert f"Cannot reach the server at {server_process.url}" in window.offline_banner.text()
    builder.add_step(*_code_step())  # made while offline: kept and retried
    until(qt_loop, lambda: bool(builder.saves.pending))
    assert window.grab().save(str(artifacts_dir / "desktop-offline.png"))

    restarted = run(qt_loop, asyncio.to_thread(start_server_process, server_process.data_dir))
    try:
        assert run(qt_loop, window.reconnect())
        assert not window.offline_banner.isVisible()
        until(qt_loop, lambda: not builder.saves.pending, timeout_s=30)
        assert window.connection_label.text() == f"This computer · {restarted.url}"
        assert window.flows_panel.flow_names() == ["Keeps its edits"]
        draft = httpx.get(
            f"{restarted.url}/api/v1/flows/{flow_id}",
            headers={"Authorization": f"Bearer {restarted.token}"},
        ).json()["version"]["definition"]
        assert [step["name"] for step in draft["steps"]] == ["step_1"]
    finally:
        builder.saves.close()
        run(qt_loop, window.close_client())
        stop_server_process(restarted)  # a new port and token: found through server.json


def test_failed_runs_are_notified_from_live_events(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    tmp_path: Path,
) -> None:
    window = MainWindow(data_dir=server_process.data_dir, watch_server=True)
    qtbot.addWidget(window)
    assert run(qt_loop, window.start(start_server=False))
    failing = tmp_path / "failing.json"
    document = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    document["displayName"] = "Always fails"
    document["steps"][0]["settings"]["sourceCode"]["code"] = (
        'export const code = async () => { throw new Error("boom"); };\n'
    )
    failing.write_text(json.dumps(document))
    assert run(qt_loop, window.flows.import_file(failing)), window.statusBar().currentMessage()
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    assert window.live is not None
    until(qt_loop, window.live.subscribed.is_set)
    headers = {"Authorization": f"Bearer {server_process.token}"}
    base = server_process.url + "/api/v1"
    published = httpx.post(
        f"{base}/flows/{flow_id}",
        json={"type": "LOCK_AND_PUBLISH", "request": {}},
        headers=headers,
        timeout=30,
    )
    assert published.status_code == 200, published.text
    assert httpx.post(f"{base}/webhooks/{flow_id}", json={}).status_code == 200
    until(qt_loop, lambda: window.last_notification is not None, timeout_s=60)
    assert window.last_notification is not None
    title, message = window.last_notification
    assert title == "“Always fails” failed"
    assert "step_1" in message  # the run's error, as the server reports it
    assert window.flows_panel.last_run_text(flow_id) == "✗ Failed"
    # Offscreen has no tray: the notification is shown in the status line instead.
    assert window.statusBar().currentMessage().startswith("“Always fails” failed")
    run(qt_loop, window.close_client())
