"""Testing from the builder against a real server: Test flow, Test step and the webhook's test request."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.panels.loaded_editors import OptionsEditor
from desktop.panels.step_settings import NEW_CONNECTION_DATA
from tests.conftest import ServerProcess
from tests.desktop.builder_helpers import main_window, open_new_flow
from tests.desktop.gui_helpers import click, run, until

DOUBLE = "export const code = async (inputs) => ({ doubled: inputs.n * 2 });"
ADD = "export const code = async (inputs) => ({ sum: inputs.d + 1 });"


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    with main_window(qtbot, qt_loop, server_process) as main:
        yield main


def test_test_flow_test_step_and_test_request_run_the_unpublished_draft(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Tested draft")
    view, scene = builder.view, builder.scene
    click(view, scene.step_items["trigger"])
    builder.choose_trigger().choose("Webhook: Catch Webhook")
    for parent, source, inputs in (
        ("trigger", DOUBLE, '{"n": "{{trigger.body.n}}"}'),
        ("step_1", ADD, '{"d": "{{step_1.doubled}}"}'),
    ):
        click(view, scene.slot_for(parent))
        assert builder.selector is not None
        builder.selector.choose("Code")
        assert builder.settings.code is not None
        assert builder.settings.inputs is not None
        builder.settings.code.setPlainText(source)
        builder.settings.inputs.text.setPlainText(inputs)
        builder.settings.commit()

    # Test flow (Ctrl+T) with the toolbar's body: the draft runs, never published.
    builder.test_body.setText('{"n": 20}')
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    until(qt_loop, lambda: builder.last_run is not None)
    tested = builder.last_run
    assert tested is not None
    assert tested.status == "SUCCEEDED", tested.error
    assert tested.steps is not None
    assert tested.steps["step_2"].output == {"sum": 41}
    assert scene.step_items["step_2"].status == "SUCCEEDED"
    assert builder.flow_read.published_version_id is None
    assert builder.grab().save(str(artifacts_dir / "desktop-builder-test-flow.png"))

    # Test step (Ctrl+Shift+T) after a change of step_2: step_1 comes from its sample data.
    builder.select("step_2")
    assert builder.settings.code is not None
    builder.settings.code.setPlainText(ADD.replace("+ 1", "+ 100"))
    builder.settings.commit()
    builder.last_run = None
    assert builder.test_step_action.shortcut().toString() == "Ctrl+Shift+T"
    view.setFocus()  # a real key press, after the piece selector closed
    QTest.keyClick(
        view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    try:
        until(qt_loop, lambda: builder.last_run is not None, timeout_s=20)
    except TimeoutError:
        raise AssertionError(builder.status.text()) from None
    step_run = builder.last_run
    assert step_run is not None, builder.status.text()
    assert step_run is not None
    assert step_run.id != tested.id
    assert step_run.steps is not None
    assert step_run.steps["step_2"].output == {"sum": 140}

    # The webhook trigger's "Send test request" posts the body to /test.
    builder.select("trigger")
    button = builder.settings.findChild(QPushButton, "sendTestRequest")
    assert isinstance(button, QPushButton)
    builder.test_body.setText('{"n": 1}')
    builder.last_run = None
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: builder.last_run is not None)
    assert builder.last_run is not None
    assert builder.last_run.steps is not None
    assert builder.last_run.steps["step_2"].output == {"sum": 102}

    # A test body that is not JSON is explained, nothing runs.
    builder.test_body.setText("{n: 1")
    assert run(qt_loop, builder.test_flow()) is None
    assert "not JSON" in builder.status.text()


def test_version_history_lists_published_versions_and_one_becomes_the_draft(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Versioned")
    click(builder.view, builder.scene.step_items["trigger"])
    builder.choose_trigger().choose("Webhook: Catch Webhook")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Code")
    assert builder.settings.code is not None
    builder.settings.code.setPlainText(DOUBLE)
    builder.settings.commit()
    assert run(qt_loop, builder.publish())
    first_published = builder.document.flow

    # Change the draft after publishing, then go back to the published version.
    builder.settings.code.setPlainText(ADD)
    builder.settings.commit()
    assert builder.document.flow != first_published
    builder.side_tabs.setCurrentWidget(builder.versions)
    until(qt_loop, lambda: builder.versions.list.count() == 2)
    panel = builder.versions
    assert panel.list.item(0).text().startswith("Draft")
    assert panel.list.item(1).text().startswith("Version 1")
    assert "live" in panel.list.item(1).text()
    assert "Published" in panel.state.text()
    panel.list.setCurrentRow(0)
    assert not panel.use_button.isEnabled()  # the draft is the draft already
    panel.list.setCurrentRow(1)
    assert panel.use_button.isEnabled()
    assert builder.grab().save(str(artifacts_dir / "desktop-builder-versions.png"))
    QTest.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: builder.document.flow.steps == first_published.steps)
    assert run(qt_loop, builder.saves.drained())
    client = window.client
    assert client is not None
    server = run(qt_loop, client.flow(builder.document.flow_id))
    assert server.version.definition.steps == first_published.steps
    builder.undo()  # back to the edited draft
    step = builder.document.flow.step("step_1")
    assert step is not None
    assert "sum" in step.settings.source_code.code  # type: ignore[union-attr]


def test_dropdown_options_load_from_the_server_with_their_state(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Dropdowns")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Slack: Send Message to User")
    editor = next(e for e in builder.settings.editors if e.key == "user")
    assert isinstance(editor, OptionsEditor)
    # Loaded by the server's POST /pieces/options: without a connection Slack says so.
    until(qt_loop, lambda: editor.state.text() != "Loading options…")
    assert editor.state.text() == "Connect Slack first"
    assert editor.reload.isEnabled()
    assert builder.grab().save(str(artifacts_dir / "desktop-step-dropdown.png"))
    # A typed ID still works and is saved.
    editor.combo.setEditText("U123")
    line = editor.combo.lineEdit()
    assert line is not None
    line.editingFinished.emit()
    step = builder.document.flow.step("step_1")
    assert step is not None
    assert step.settings.input["user"] == "U123"  # type: ignore[union-attr]
    QTest.mouseClick(editor.reload, Qt.MouseButton.LeftButton)
    assert editor.state.text() == "Loading options…"
    until(qt_loop, lambda: editor.state.text() == "Connect Slack first")


def test_new_connection_from_the_step_form_is_saved_masked_and_used(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Connected")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Slack: Send Message to User")
    picker = builder.settings.connection
    assert picker is not None
    picker.setCurrentIndex(picker.findData(NEW_CONNECTION_DATA))
    picker.activated.emit(picker.currentIndex())
    dialog = builder.connection_dialog
    assert dialog.isVisible()
    assert dialog.piece_name() == "slack"
    assert dialog.kind.currentText() == "CUSTOM_AUTH"
    assert dialog.secret.echoMode() == QLineEdit.EchoMode.Password
    assert picker.currentData() is None  # the picker does not keep "New connection…"
    dialog.external_id.setText("slack_gui")
    dialog.display_name.setText("Slack (GUI test)")
    # A closed local port: the options call fails here instead of reaching the internet.
    dialog.secret.setText('{"bot_token": "xoxb-secret-1", "base_url": "http://127.0.0.1:9"}')
    assert dialog.grab().save(str(artifacts_dir / "desktop-new-connection.png"))
    buttons = dialog.findChild(QDialogButtonBox)
    assert isinstance(buttons, QDialogButtonBox)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: "slack_gui" in builder.status.text())
    step = builder.document.flow.step("step_1")
    assert step is not None
    assert step.settings.input["auth"] == "{{connections['slack_gui']}}"  # type: ignore[union-attr]
    picker = builder.settings.connection
    assert picker is not None
    assert picker.currentText() == "Slack (GUI test)"
    client = window.client
    assert client is not None
    listed = run(qt_loop, client.connections(builder.flow_read.project_id))
    assert "xoxb-secret-1" not in str([c.model_dump() for c in listed])


def test_a_failed_test_marks_the_code_line_that_threw(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Throws")
    click(builder.view, builder.scene.step_items["trigger"])
    builder.choose_trigger().choose("Webhook: Catch Webhook")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Code")
    assert builder.settings.code is not None
    builder.settings.code.setPlainText(
        "export const code = async () => {\n  const n = 1;\n  throw new Error('boom');\n};"
    )
    builder.settings.commit()
    builder.test_body.setText("{}")
    run_result = run(qt_loop, builder.test_flow())
    assert run_result is not None
    assert run_result.status == "FAILED"
    assert builder.scene.step_items["step_1"].status == "FAILED"
    assert builder.settings.code is not None
    assert builder.settings.code.error_line == 3
    error = builder.settings.findChild(QLabel, "codeError")
    assert isinstance(error, QLabel)
    assert "boom" in error.text()
    assert builder.grab().save(str(artifacts_dir / "desktop-code-error-line.png"))
