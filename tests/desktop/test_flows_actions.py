"""Flow actions from the desktop against a real server: create, import, rename, duplicate, export, delete."""

import asyncio
import json
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.conftest import ROOT, SAMPLES, ServerProcess

FIXTURES = ROOT / "tests" / "engine" / "fixtures" / "activepieces"


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    main = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(main)
    assert qt_loop.run_until_complete(main.start(start_server=False))
    yield main
    qt_loop.run_until_complete(main.close_client())


def run(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, bool]) -> bool:
    return loop.run_until_complete(work)


def until(loop: asyncio.AbstractEventLoop, predicate: Callable[[], bool]) -> None:
    async def wait() -> None:
        async with asyncio.timeout(10):
            while not predicate():  # noqa: ASYNC110  (polls a widget: there is no event to wait on)
                await asyncio.sleep(0.05)

    loop.run_until_complete(wait())


def test_new_flow_button_path_creates_a_flow(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    window.flows_panel.create_requested.emit("Morning digest")
    until(qt_loop, lambda: window.flows_panel.flow_names() == ["Morning digest"])
    assert window.statusBar().currentMessage() == "Created “Morning digest”"


def test_import_rename_duplicate_export_and_delete(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    assert run(qt_loop, window.flows.import_file(SAMPLES / "add_numbers_webhook.json"))
    assert window.flows_panel.flow_names() == ["Add two numbers (webhook)"]
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    assert run(qt_loop, window.flows.rename(flow_id, "Adder"))
    assert run(qt_loop, window.flows.duplicate(flow_id))
    assert sorted(window.flows_panel.flow_names()) == ["Adder", "Copy of Adder"]
    exported = tmp_path / "adder.json"
    assert run(qt_loop, window.flows.export(flow_id, exported))
    document = json.loads(exported.read_text())
    assert document["displayName"] == "Adder"
    assert [step["name"] for step in document["steps"]] == ["step_1", "step_2"]
    assert run(qt_loop, window.flows.delete(flow_id))
    assert window.flows_panel.flow_names() == ["Copy of Adder"]


def test_activepieces_export_imports(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    fixture = sorted(FIXTURES.glob("*.json"))[0]
    assert run(qt_loop, window.flows.import_file(fixture)), window.statusBar().currentMessage()
    assert len(window.flows_panel.flow_names()) == 1


def test_bad_files_are_explained_and_leave_nothing_behind(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert not run(qt_loop, window.flows.import_file(broken))
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("broken.json is not valid JSON (line 1, column 3)")
    )
    invalid = tmp_path / "invalid.json"
    invalid.write_text(
        json.dumps({"displayName": "Bad", "steps": [{"name": "s", "type": "CODE", "settings": {}}]})
    )
    assert not run(qt_loop, window.flows.import_file(invalid))
    message = window.statusBar().currentMessage()
    assert "steps[0].settings.sourceCode: is required" in message
    assert window.flows_panel.flow_names() == []


def test_context_menu_offers_turn_on_only_once_published(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    assert run(qt_loop, window.flows.create("Draft only"))
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    actions = {
        action.text(): action for action in window.flows_panel.context_menu(flow_id).actions()
    }
    assert set(actions) >= {"Rename…", "Duplicate", "Turn on", "Export…", "Delete…"}
    assert not actions["Turn on"].isEnabled()
