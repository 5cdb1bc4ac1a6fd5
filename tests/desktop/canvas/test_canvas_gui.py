"""The canvas against a real server: notes, the minimap, keyboard navigation, invalid steps."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.conftest import ServerProcess
from tests.desktop.big_flow import big_flow
from tests.desktop.builder_helpers import main_window, open_new_flow
from tests.desktop.gui_helpers import click, run, until


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    with main_window(qtbot, qt_loop, server_process) as main:
        yield main


def test_notes_are_added_edited_moved_and_deleted_and_reach_the_server(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Notes")
    view, scene = builder.view, builder.scene
    view.setFocus()
    QTest.keyClick(
        view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert [note.id for note in builder.document.flow.notes] == ["note_1"]
    item = scene.note_items["note_1"]
    assert item.text.hasFocus()  # editing right away
    QTest.keyClicks(view.viewport(), "Ask Ada")
    click(view, scene.step_items["trigger"])  # the note loses focus: its text is saved
    until(qt_loop, lambda: builder.document.flow.notes[0].content == "Ask Ada", timeout_s=3)

    # Drag it by 80 px to the right.
    item = scene.note_items["note_1"]
    start_pos = item.pos()
    press = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press
    )
    for dx in (20, 40, 60, 80):
        QTest.mouseMove(view.viewport(), press + QPoint(dx, 0))
    QTest.mouseRelease(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        press + QPoint(80, 0),
    )
    moved = builder.document.flow.notes[0]
    assert moved.x == pytest.approx(start_pos.x() + 80 / view.zoom, abs=2)
    assert scene.selected_note() == "note_1"
    assert run(qt_loop, builder.saves.drained())
    server = run(qt_loop, window.client.flow(builder.document.flow_id))  # type: ignore[union-attr]
    assert server.version.definition.notes == builder.document.flow.notes
    assert builder.grab().save(str(artifacts_dir / "desktop-canvas-note.png"))

    # Delete it with the keyboard; undo brings it back.
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert builder.document.flow.notes == []
    assert "note_1" not in scene.note_items
    QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert builder.document.flow.notes[0].content == "Ask Ada"


def test_big_flow_shows_a_minimap_that_moves_the_canvas_and_keys_walk_the_steps(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    builder = open_new_flow(window, qt_loop, "Big for minimap")
    client = window.client
    assert client is not None
    document = big_flow(60).model_dump(mode="json", by_alias=True)
    flow = run(qt_loop, client.operate(builder.document.flow_id, "IMPORT_FLOW", document))
    builder.document.replace(flow.version.definition)
    view, minimap = builder.view, builder.view.minimap
    view.reset_zoom()
    view.fit()
    assert not view.flow_fits()
    assert minimap.isVisible()

    # A click near the minimap's bottom moves the canvas to the flow's end.
    before = view.mapToScene(view.viewport().rect().center())
    bottom = QPoint(minimap.width() // 2, minimap.height() - 8)
    QTest.mouseClick(
        minimap.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, bottom
    )
    after = view.mapToScene(view.viewport().rect().center())
    assert after.y() > before.y() + 500
    assert minimap.visible_area().contains(after)
    assert builder.grab().save(str(artifacts_dir / "desktop-canvas-minimap.png"))

    # Alt+Down / Alt+Up walk the steps in order and bring each into view.
    builder.select("trigger")
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert builder.selected() == "step_1"
    QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert builder.selected() == "step_2"
    QTest.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert builder.selected() == "step_1"
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.intersects(builder.scene.step_items["step_1"].sceneBoundingRect())
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert builder.selected() is None

    # Zoomed out until it fits, the minimap goes away.
    for _ in range(12):
        view.zoom_by(1 / 1.2)
    if view.flow_fits():
        assert not minimap.isVisible()


def test_invalid_steps_are_marked_with_the_reason_on_the_card(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    builder = open_new_flow(window, qt_loop, "Invalid step")
    click(builder.view, builder.scene.slot_for("trigger"))
    assert builder.selector is not None
    builder.selector.choose("Loop on items")
    card = builder.scene.step_items["step_1"]
    assert card.problems, "a loop without items is invalid"
    assert "items" in card.problems[0]
    assert card.toolTip() == "\n".join(card.problems)
