"""The builder against a real local server: build a flow by clicking, undo/redo, publish, test, read the run."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.panels.builder_panel import BuilderPanel
from engine.model import ConditionOperator, LoopStep, RouterStep
from tests.conftest import ServerProcess
from tests.desktop.builder_helpers import open_new_flow
from tests.desktop.gui_helpers import click, drag, run, until

CODE = "export const code = async (inputs) => ({ n: inputs.n, doubled: inputs.n * 2 });"


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    main = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(main)
    main.show()
    assert run(qt_loop, main.start(start_server=False))
    yield main
    for builder in main.workspace.builders.values():
        builder.saves.close()
    run(qt_loop, main.close_client())


def add_by_clicking(builder: BuilderPanel, slot: tuple[str, str, int | None], choice: str) -> str:
    click(builder.view, builder.scene.slot_for(*slot))
    assert builder.selector is not None
    assert builder.selector.isVisible()
    builder.selector.choose(choice)
    name = builder.selected()
    assert name is not None
    return name


def test_build_a_flow_by_clicking_then_publish_test_and_read_the_run(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Built by clicking")
    view, scene = builder.view, builder.scene

    # Trigger: click the card, choose the webhook trigger.
    click(view, scene.step_items["trigger"])
    assert builder.settings.step is not None
    builder.choose_trigger().choose("Webhook: Catch Webhook")
    assert builder.document.flow.trigger.type == "PIECE_TRIGGER"
    assert builder.settings.url_field.text() == window.client.webhook_url(builder.document.flow_id)  # type: ignore[union-attr]

    # A code step after the trigger, with code and inputs.
    code = add_by_clicking(builder, ("trigger", "AFTER", None), "Code")
    assert code == "step_1"
    assert builder.settings.code is not None
    assert builder.settings.inputs is not None
    builder.settings.code.setPlainText(CODE)
    builder.settings.inputs.text.setPlainText('{"n": "{{trigger.body.n}}"}')
    builder.settings.commit()

    # A router with a condition branch and the fallback, one step in each.
    router = add_by_clicking(builder, ("step_1", "AFTER", None), "Router")
    editor = builder.settings.router_editor
    assert editor is not None
    row = editor.branches[0].groups[0][0]
    row.first.setText("{{step_1.n}}")
    row.set_operator(ConditionOperator.NUMBER_IS_GREATER_THAN)
    row.second.setText("10")
    row.second.editingFinished.emit()
    first_branch = builder.document.flow.step(router)
    assert isinstance(first_branch, RouterStep)
    condition = first_branch.branches[0].conditions[0][0]
    assert condition.operator == ConditionOperator.NUMBER_IS_GREATER_THAN
    assert condition.second_value == "10"
    big = add_by_clicking(builder, (router, "INSIDE_BRANCH", 0), "Code")
    small = add_by_clicking(builder, (router, "INSIDE_BRANCH", 1), "Code")
    assert [label.text for label in scene.label_items] == ["Branch 1", "Otherwise"]

    # A loop over the rows with a step inside.
    loop_name = add_by_clicking(builder, (router, "AFTER", None), "Loop on items")
    assert builder.settings.items_edit is not None
    builder.settings.items_edit.setText("{{trigger.body.rows}}")
    builder.settings.items_edit.editingFinished.emit()
    inner = add_by_clicking(builder, (loop_name, "INSIDE_LOOP", None), "Code")
    loop_step = builder.document.flow.step(loop_name)
    assert isinstance(loop_step, LoopStep)
    assert [s.name for s in loop_step.steps] == [inner]
    assert builder.document.problems() == [], builder.problems.texts()
    assert "No problems" in builder.problems.texts()[0]

    # Undo / redo across edit types: add, update (loop items), branch update, delete, duplicate, move.
    before = builder.document.flow
    builder.undo_action.trigger()  # add inner
    builder.undo_action.trigger()  # loop items
    loop_step = builder.document.flow.step(loop_name)
    assert isinstance(loop_step, LoopStep)
    assert loop_step.settings.items == ""
    assert loop_step.steps == []
    builder.redo_action.trigger()
    builder.redo_action.trigger()
    assert builder.document.flow == before

    builder.select(big)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert builder.document.flow.step(big) is None
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert builder.document.flow == before

    builder.select(code)
    QTest.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert builder.document.flow.step("step_7") is not None
    QTest.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )  # nothing to redo: no change
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert builder.document.flow == before

    drag(view, scene.step_items[small], scene.slot_for(loop_name, "INSIDE_LOOP"))
    moved = builder.document.flow.step(loop_name)
    assert isinstance(moved, LoopStep)
    assert [s.name for s in moved.steps] == [small, inner]
    builder.undo()
    assert builder.document.flow == before

    # Everything reached the server; publish, then test through the webhook.
    assert run(qt_loop, builder.saves.drained())
    server_flow = run(qt_loop, window.client.flow(builder.document.flow_id))  # type: ignore[union-attr]
    assert server_flow.version.definition == builder.document.flow
    assert builder.grab().save(str(artifacts_dir / "desktop-builder.png"))

    builder.test_body.setText('{"n": 42, "rows": ["a", "b"]}')
    result = run(qt_loop, builder.test_flow())
    assert result is not None
    assert result.status == "SUCCEEDED", result.error
    assert scene.step_items[code].status == "SUCCEEDED"
    assert scene.step_items[small].status is None  # the fallback did not run
    assert scene.step_items[big].status == "SUCCEEDED"
    assert builder.grab().save(str(artifacts_dir / "desktop-builder-tested.png"))

    # Data to insert: the step before the loop's inner step offers step_1's output.
    builder.select(inner)
    assert builder.settings.inputs is not None
    builder.settings.inputs.text.setFocus()
    builder.settings.last_input = builder.settings.inputs.text
    builder.settings.inputs.text.setPlainText("")
    assert builder.data.tree.rows()[0][0] == "trigger"
    model = builder.data.tree.model_
    step_1_row = next(
        model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data() == "step_1"
    )
    builder.data.tree.expand(step_1_row)
    doubled = next(
        model.index(r, 0, step_1_row)
        for r in range(model.rowCount(step_1_row))
        if model.index(r, 0, step_1_row).data() == "doubled"
    )
    builder.data.tree.clicked.emit(doubled)
    assert builder.settings.inputs.text.toPlainText() == "{{step_1.doubled}}"

    # The run in the Runs tab, opened: the canvas read-only with marks, a step's output as a tree.
    window.tabs.setCurrentWidget(window.workspace.runs_panel)
    until(qt_loop, lambda: window.workspace.runs_panel.table.rowCount() == 1)
    run_view = run(qt_loop, window.workspace.open_run(result.id))
    assert run_view is not None
    assert run_view.scene.step_items[code].status == "SUCCEEDED"
    assert not run_view.scene.slot_items
    run_view.select(code)
    rows = dict(run_view.tree.rows())
    assert rows["doubled"] == "84"
    run_view.select(loop_name)
    assert run_view.iteration_row.isVisibleTo(run_view)
    assert run_view.iteration.maximum() == 2
    run_view.iteration.setValue(2)
    run_view.select(inner)
    assert run_view.scene.step_items[inner].status == "SUCCEEDED"
    assert run_view.grab().save(str(artifacts_dir / "desktop-run-view.png"))
