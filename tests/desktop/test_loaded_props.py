"""Against a real server with the test CRM piece: a DYNAMIC prop's fields and a loaded
multi-select, reloaded when their refreshers change, with loading and error states."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.panels.builder_panel import BuilderPanel
from desktop.panels.loaded_editors import DynamicEditor, MultiOptionsEditor, OptionsEditor
from desktop.panels.prop_editors import TextEditor
from tests.conftest import ServerProcess
from tests.desktop.builder_helpers import main_window, open_new_flow
from tests.desktop.gui_helpers import click, run, until
from tests.server.piece_wheels import crm_wheel


def _post(server: ServerProcess, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.token}", **kwargs.pop("headers", {})}
    return httpx.post(f"{server.url}/api/v1{path}", headers=headers, timeout=60, **kwargs)


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    installed = _post(
        server_process,
        "/pieces",
        content=crm_wheel(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert installed.status_code == 201, installed.text
    projects = httpx.get(
        f"{server_process.url}/api/v1/projects",
        headers={"Authorization": f"Bearer {server_process.token}"},
    ).json()["data"]
    for external_id, key in (("crm", "good-key"), ("crm_down", "broken-key")):
        saved = _post(
            server_process,
            "/app-connections",
            json={
                "projectId": projects[0]["id"],
                "externalId": external_id,
                "displayName": external_id,
                "pieceName": "test_crm",
                "type": "SECRET_TEXT",
                "value": {"type": "SECRET_TEXT", "secret_text": key},
            },
        )
        assert saved.status_code in (200, 201), saved.text
    with main_window(qtbot, qt_loop, server_process) as main:
        yield main


def _editor(builder: BuilderPanel, key: str) -> Any:
    return next(e for e in builder.settings.editors if e.key == key)


def _pick_connection(builder: BuilderPanel, external_id: str) -> None:
    picker = builder.settings.connection
    assert picker is not None
    picker.setCurrentIndex(picker.findData(f"{{{{connections['{external_id}']}}}}"))
    picker.activated.emit(picker.currentIndex())


def _input(builder: BuilderPanel) -> dict[str, Any]:
    step = builder.document.flow.step("step_1")
    assert step is not None
    return dict(step.settings.input)  # type: ignore[union-attr]


def test_dynamic_fields_and_multi_select_load_from_the_server(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "CRM contacts")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Test CRM: Add contact")
    lists, fields, tags = (_editor(builder, k) for k in ("list", "fields", "tags"))
    assert isinstance(lists, OptionsEditor)
    assert isinstance(fields, DynamicEditor)
    assert isinstance(tags, MultiOptionsEditor)
    until(qt_loop, lambda: lists.state.text() == "Connect an account first")
    until(qt_loop, lambda: fields.state.text() == "No fields for these choices")

    _pick_connection(builder, "crm")
    # A new connection reloads every loaded editor.
    lists, fields, tags = (_editor(builder, k) for k in ("list", "fields", "tags"))
    until(qt_loop, lambda: tags.state.text() == "2 options")
    until(qt_loop, lambda: lists.state.text() == "2 options")
    assert tags.labels() == ["VIP", "New"]
    tags.check_label("VIP")
    tags.check_label("New")
    assert _input(builder)["tags"] == ["vip", "new"]
    tags.extra.setText("{{trigger.body.tag}}")
    QTest.keyClick(tags.extra, Qt.Key.Key_Return)
    assert _input(builder)["tags"] == ["vip", "new", "{{trigger.body.tag}}"]

    # Choosing a list is a refresher change: the dynamic fields load for it.
    lists.combo.setCurrentIndex(lists.combo.findData("leads"))
    lists.combo.activated.emit(lists.combo.currentIndex())
    assert _input(builder)["list"] == "leads"
    assert fields.state.text() == "Loading fields…"
    until(qt_loop, lambda: fields.state.text() == "1 field")
    email = fields.field("email")
    assert isinstance(email, TextEditor)
    email.line.setText("a@example.com")
    email.line.editingFinished.emit()
    assert _input(builder)["fields"] == {"email": "a@example.com"}
    assert builder.grab().save(str(artifacts_dir / "desktop-dynamic-props.png"))

    # A loader that fails says why; what was stored is kept.
    lists.combo.setEditText("down")
    line = lists.combo.lineEdit()
    assert line is not None
    line.editingFinished.emit()
    until(qt_loop, lambda: fields.state.text().startswith("Fields not loaded"))
    assert "the field service is down" in fields.state.text()
    assert fields.reload.isEnabled()
    assert _input(builder)["fields"] == {"email": "a@example.com"}


def test_a_failing_options_loader_keeps_the_chosen_values(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    builder = open_new_flow(window, qt_loop, "CRM down")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Test CRM: Add contact")
    _pick_connection(builder, "crm")
    tags = _editor(builder, "tags")
    until(qt_loop, lambda: tags.state.text() == "2 options")
    tags.check_label("VIP")
    _pick_connection(builder, "crm_down")
    tags = _editor(builder, "tags")
    until(qt_loop, lambda: tags.state.text().startswith("Options not loaded"))
    assert "the CRM is down" in tags.state.text()
    assert tags.labels() == ["VIP", "New"]  # the options loaded last stay
    assert tags.value() == ["vip"]
    assert _input(builder)["tags"] == ["vip"]


def test_a_dropdown_inside_dynamic_fields_loads_its_options_and_saves_the_choice(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> None:
    builder = open_new_flow(window, qt_loop, "CRM customers")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Test CRM: Add contact")
    _pick_connection(builder, "crm")
    lists, fields = _editor(builder, "list"), _editor(builder, "fields")
    until(qt_loop, lambda: lists.state.text() == "2 options")
    lists.combo.setCurrentIndex(lists.combo.findData("customers"))
    lists.combo.activated.emit(lists.combo.currentIndex())
    until(qt_loop, lambda: fields.state.text() == "2 fields")
    stage = fields.field("stage")
    assert isinstance(stage, OptionsEditor)
    until(qt_loop, lambda: stage.state.text() == "2 options")
    assert [stage.combo.itemText(i) for i in range(stage.combo.count())] == ["Prospect", "Won"]

    # Another field of the dynamic prop is a refresher of the dropdown: its options reload.
    email = fields.field("email")
    assert isinstance(email, TextEditor)
    email.line.setText("ann@vip.example")
    email.line.editingFinished.emit()
    assert stage.state.text() == "Loading options…"
    until(qt_loop, lambda: stage.state.text() == "3 options")
    stage.combo.setCurrentIndex(stage.combo.findData("vip"))
    stage.combo.activated.emit(stage.combo.currentIndex())
    chosen = {"email": "ann@vip.example", "stage": "vip"}
    assert _input(builder)["fields"] == chosen
    assert run(qt_loop, builder.saves.drained())
    saved = httpx.get(
        f"{server_process.url}/api/v1/flows/{builder.document.flow_id}",
        headers={"Authorization": f"Bearer {server_process.token}"},
    ).json()["version"]["definition"]
    assert saved["steps"][0]["settings"]["input"]["fields"] == chosen

    # A loader that fails says why on the field's own state line; the choice is kept.
    email.line.setText("down@example.com")
    email.line.editingFinished.emit()
    until(qt_loop, lambda: stage.state.text().startswith("Options not loaded"))
    assert "the stage service is down" in stage.state.text()
    assert stage.reload.isEnabled()
    assert _input(builder)["fields"] == {"email": "down@example.com", "stage": "vip"}
