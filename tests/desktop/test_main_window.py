"""The main window against a real local server process, offscreen."""

import asyncio
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.conftest import ServerProcess


def _create_flows(server: ServerProcess, names: list[str]) -> None:
    headers = {"Authorization": f"Bearer {server.token}"}
    base = server.url + "/api/v1"
    project_id = httpx.get(f"{base}/projects", headers=headers).json()["data"][0]["id"]
    for name in names:
        response = httpx.post(
            f"{base}/flows", json={"displayName": name, "projectId": project_id}, headers=headers
        )
        assert response.status_code == 201


async def _until(predicate: Callable[[], bool], timeout_s: float = 10) -> None:
    """Lets the event loop run (as the app's does) until the predicate holds."""
    async with asyncio.timeout(timeout_s):
        while not predicate():  # noqa: ASYNC110  (polls a widget: there is no event to wait on)
            await asyncio.sleep(0.05)


def test_window_lists_the_flows_of_the_local_server(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    artifacts_dir: Path,
) -> None:
    _create_flows(server_process, ["Invoice to Slack", "Daily digest"])
    window = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(window)
    window.show()

    connected = qt_loop.run_until_complete(window.start(start_server=False))

    assert connected
    assert window.flows_panel.flow_names() == ["Daily digest", "Invoice to Slack"]
    assert window.connection_label.text() == f"This computer · {server_process.url}"
    status = window.flows_panel.table.item(0, 1)
    assert status is not None
    assert status.text() == "Off"
    screenshot = artifacts_dir / "desktop-flows-list.png"
    assert window.grab().save(str(screenshot))
    assert screenshot.stat().st_size > 5000

    _create_flows(server_process, ["Third"])
    window.flows_panel.refresh_button.click()
    qt_loop.run_until_complete(_until(lambda: len(window.flows_panel.flow_names()) == 3))
    qt_loop.run_until_complete(window.close_client())


def test_window_without_a_server_says_what_to_do(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    connected = qt_loop.run_until_complete(window.start(start_server=False))
    assert not connected
    assert window.statusBar().currentMessage() == (
        f"No Piecework server is running on {tmp_path}; start one with: piecework server"
    )
    assert window.flows_panel.empty.isVisibleTo(window)


def test_window_starts_the_local_server_when_none_runs(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, data_dir: Path
) -> None:
    window = MainWindow(data_dir=data_dir)
    qtbot.addWidget(window)
    try:
        connected = qt_loop.run_until_complete(window.start())
        assert connected, window.statusBar().currentMessage()
        assert window.flows_panel.flow_names() == []
        assert window.statusBar().currentMessage() == "0 flows"
    finally:
        qt_loop.run_until_complete(window.close_client())
        info = json.loads((data_dir / "server.json").read_text())
        os.kill(info["pid"], signal.SIGINT)
        for _ in range(300):
            if not (data_dir / "server.json").exists():
                break
            qtbot.wait(100)
    assert not (data_dir / "server.json").exists()
