"""The flows list against a real server: folders, search, last run, status toggle, dropped files."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.panels.folder_list import ALL_FLOWS, NO_FOLDER
from tests.conftest import SAMPLES, ServerProcess
from tests.desktop.gui_helpers import run, until


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    main = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(main)
    main.resize(1200, 700)
    main.show()
    assert run(qt_loop, main.start(start_server=False))
    yield main
    run(qt_loop, main.close_client())


def _drop(window: MainWindow, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    panel = window.flows_panel
    event = QDropEvent(
        QPointF(panel.width() / 2, panel.height() / 2),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    assert event.isAccepted()


def test_folders_group_flows_and_search_narrows_them(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    panel, flows = window.flows_panel, window.flows
    for name in ("Invoices to Slack", "Daily digest", "Invoice reminders"):
        assert run(qt_loop, flows.create(name))
    assert run(qt_loop, flows.create_folder("Finance"))
    finance = next(iter(panel.folder_list.folders.values()))
    by_name = {name: str(panel.flow_id_at(row)) for row, name in enumerate(panel.flow_names())}

    menu = panel.context_menu(by_name["Invoices to Slack"])
    move = next(a for a in menu.actions() if a.text() == "Move to folder").menu()
    assert isinstance(move, QMenu)
    next(a for a in move.actions() if a.text() == "Finance").trigger()
    until(qt_loop, lambda: panel.folder_list.folders[finance.id].number_of_flows == 1)
    assert run(qt_loop, flows.move(by_name["Invoice reminders"], finance.id))

    panel.folder_list.choose(finance.id)
    assert sorted(panel.flow_names()) == ["Invoice reminders", "Invoices to Slack"]
    panel.folder_list.choose(NO_FOLDER)
    assert panel.flow_names() == ["Daily digest"]
    panel.folder_list.choose(ALL_FLOWS)
    assert len(panel.flow_names()) == 3
    assert panel.folder_list.item(1).text() == "No folder (1)"
    assert panel.folder_list.item(2).text() == "Finance (2)"

    panel.search.setText("INVOICE")
    assert sorted(panel.flow_names()) == ["Invoice reminders", "Invoices to Slack"]
    panel.search.setText("reminders")
    panel.folder_list.choose(NO_FOLDER)
    assert panel.flow_names() == []
    assert panel.empty.text().startswith("No flow matches")
    panel.search.clear()
    panel.folder_list.choose(finance.id)
    assert window.grab().save(str(artifacts_dir / "desktop-flows-folders.png"))

    # A new flow goes into the folder shown; a deleted folder leaves its flows outside any.
    panel.create_requested.emit("Tax report")
    until(qt_loop, lambda: "Tax report" in panel.flow_names())
    assert run(qt_loop, flows.delete_folder(finance.id))
    assert panel.folder_list.chosen() == ALL_FLOWS
    panel.folder_list.choose(NO_FOLDER)
    assert len(panel.flow_names()) == 4


def test_last_run_and_status_toggle_follow_the_server(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> None:
    panel = window.flows_panel
    assert run(qt_loop, window.flows.import_file(SAMPLES / "add_numbers_webhook.json"))
    flow_id = panel.flow_id_at(0)
    assert flow_id is not None
    toggle = panel.table.item(0, 1)
    assert toggle is not None
    assert not toggle.flags() & Qt.ItemFlag.ItemIsUserCheckable  # not published yet
    assert panel.last_run_text(flow_id) == ""

    headers = {"Authorization": f"Bearer {server_process.token}"}
    base = server_process.url + "/api/v1"
    published = httpx.post(
        f"{base}/flows/{flow_id}",
        json={"type": "LOCK_AND_PUBLISH", "request": {}},
        headers=headers,
        timeout=30,
    )
    assert published.status_code == 200, published.text
    answer = httpx.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 2, "b": 3}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert run(qt_loop, window.refresh())
    assert panel.last_run_text(flow_id) == "✓ Succeeded"
    cell = panel.table.item(0, 2)
    assert cell is not None
    assert cell.text() == "✓ Succeeded"

    toggle = panel.table.item(0, 1)
    assert toggle is not None
    assert toggle.checkState() == Qt.CheckState.Checked
    toggle.setCheckState(Qt.CheckState.Unchecked)  # as a click on the box does
    until(qt_loop, lambda: panel.table.item(0, 1).text() == "Off")  # type: ignore[union-attr]
    status = httpx.get(f"{base}/flows/{flow_id}", headers=headers).json()["status"]
    assert status == "DISABLED"


def test_dropped_flow_files_are_imported(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    _drop(window, [SAMPLES / "add_numbers_webhook.json", SAMPLES / "signup_summary_webhook.json"])
    until(qt_loop, lambda: len(window.flows_panel.flow_names()) == 2)
    assert "Add two numbers (webhook)" in window.flows_panel.flow_names()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ not json", "notes.json is not valid JSON (line 1, column 3)"),
        ("[1, 2, 3]", "notes.json is JSON but not a flow"),
        (json.dumps({"shopping": ["milk"]}), "notes.json is not a flow Piecework can import"),
    ],
)
def test_a_dropped_file_that_is_not_a_flow_is_explained_in_a_dialog(
    window: MainWindow,
    qt_loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    content: str,
    expected: str,
    artifacts_dir: Path,
) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text(content)
    _drop(window, [notes])
    until(qt_loop, lambda: window.error_dialog is not None)
    dialog = window.error_dialog
    assert isinstance(dialog, QMessageBox)
    assert dialog.isVisible()
    assert dialog.windowTitle() == "Cannot import this file"
    assert dialog.text().startswith(expected), dialog.text()
    if content.startswith("{ not"):
        assert dialog.grab().save(str(artifacts_dir / "desktop-import-not-a-flow.png"))
    dialog.accept()
    assert window.flows_panel.flow_names() == []
