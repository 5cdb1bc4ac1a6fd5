"""The run view against a real server: live progress, retry (from the failed step, on the latest version), cancel."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.client import ApiClient
from desktop.main_window import MainWindow
from desktop.panels.json_tree import JsonTree
from engine.model import Flow
from tests.conftest import ServerProcess
from tests.desktop.builder_helpers import main_window
from tests.desktop.gui_helpers import run, until
from tests.engine.builders import code, flow, piece

OK = "export const code = async () => ({ ok: true });"
BOOM = "export const code = async () => { throw new Error('boom'); };"
#: Slow enough that the run is still going when the view subscribes to its live events.
SLOW_OK = (
    "export const code = async () => { await new Promise((r) => setTimeout(r, 1500));"
    " return { ok: true }; };"
)


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> Iterator[MainWindow]:
    with main_window(qtbot, qt_loop, server_process) as main:
        yield main


async def published_run(client: ApiClient, project_id: str, definition: Flow, status: str) -> str:
    """Creates and publishes a flow, calls its webhook and waits for the run to reach `status`."""
    created = await client.create_flow(project_id, definition.display_name)
    await client.operate(
        created.id, "IMPORT_FLOW", definition.model_dump(mode="json", by_alias=True)
    )
    await client.operate(created.id, "LOCK_AND_PUBLISH", {})
    run_id = await client.send_webhook(created.id, {"n": 1})
    async with asyncio.timeout(30):
        while (await client.run(run_id)).status != status:  # noqa: ASYNC110  (polls the server)
            await asyncio.sleep(0.2)
    return run_id


def test_a_failed_run_is_retried_on_the_latest_version_and_followed_live(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    client, project = window.client, window.workspace._project_id()
    assert client is not None
    assert project is not None
    definition = flow(code("step_1", OK), code("step_2", BOOM), name="Fails then fixed")
    run_id = run(qt_loop, published_run(client, project, definition, "FAILED"))
    view = run(qt_loop, window.workspace.open_run(run_id))
    assert view is not None
    assert view.scene.step_items["step_1"].status == "SUCCEEDED"
    assert view.scene.step_items["step_2"].status == "FAILED"
    assert view.retry_failed.isEnabled()
    assert view.retry_latest.isEnabled()
    assert not view.cancel_button.isEnabled()  # a failed run is over

    # From the failed step: same version, fails again, as a new run.
    QTest.mouseClick(view.retry_failed, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: view.run.id != run_id and view.run.status == "FAILED")
    first_retry = view.run.id
    assert "boom" in (view.run.error or "")

    # Fix the code, publish, retry on the latest version: followed live to SUCCEEDED.
    fixed = definition.model_copy(update={"steps": [definition.steps[0], code("step_2", SLOW_OK)]})
    flow_id = view.run.flow_id
    run(
        qt_loop,
        client.operate(flow_id, "IMPORT_FLOW", fixed.model_dump(mode="json", by_alias=True)),
    )
    run(qt_loop, client.operate(flow_id, "LOCK_AND_PUBLISH", {}))
    QTest.mouseClick(view.retry_latest, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: view.run.id != first_retry and view.run.status == "SUCCEEDED")
    until(qt_loop, lambda: not view.following)
    assert view.live_events > 0, "progress came over the WebSocket"
    assert view.scene.step_items["step_2"].status == "SUCCEEDED"
    assert not view.retry_failed.isEnabled()  # it succeeded
    assert view.grab().save(str(artifacts_dir / "desktop-run-view-retried.png"))


def test_a_paused_run_is_canceled_from_the_run_view(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    client, project = window.client, window.workspace._project_id()
    assert client is not None
    assert project is not None
    definition = flow(
        code("step_1", OK),
        piece("step_2", "delay", "delay_for", amount=10, unit="minutes"),
        name="Waits",
    )
    run_id = run(qt_loop, published_run(client, project, definition, "PAUSED"))
    view = run(qt_loop, window.workspace.open_run(run_id))
    assert view is not None
    assert view.scene.step_items["step_2"].status == "PAUSED"
    assert view.cancel_button.isEnabled()
    QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    until(qt_loop, lambda: view.run.status == "CANCELED")
    assert view.notice.text() == "Canceled"
    assert not view.cancel_button.isEnabled()
    assert run(qt_loop, client.run(run_id)).status == "CANCELED"
    # Canceling again is refused by the server and explained, not raised.
    run(qt_loop, view.cancel())
    assert "Not canceled" in view.notice.text()


def test_runs_list_filters_by_flow_status_and_time(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop
) -> None:
    client, project = window.client, window.workspace._project_id()
    assert client is not None
    assert project is not None
    run_id = run(
        qt_loop,
        published_run(client, project, flow(code("step_1", BOOM), name="Filtered"), "FAILED"),
    )
    flow_id = run(qt_loop, client.run(run_id)).flow_id
    panel = window.workspace.runs_panel
    window.tabs.setCurrentWidget(panel)
    run(qt_loop, window.refresh())
    panel.flow_filter.setCurrentIndex(panel.flow_filter.findData(flow_id))
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("FAILED"))
    panel.time_filter.setCurrentIndex(panel.time_filter.findText("Last hour"))
    panel.refresh_button.click()
    until(qt_loop, lambda: panel.table.rowCount() == 1 and panel.run_id_at(0) == run_id)
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("SUCCEEDED"))
    panel.refresh_button.click()
    until(qt_loop, lambda: panel.table.rowCount() == 0)
    assert panel.empty.isVisible()
    # The time filter reaches the server: nothing was created after an hour from now.
    later = datetime.now(UTC) + timedelta(hours=1)
    assert run(qt_loop, client.runs(project, flow_id=flow_id, created_after=later)) == []
    assert panel.created_after() is not None


BIG = (
    "export const code = async () => Array.from({length: 5000}, (_, i) => ({i, text: 'row ' + i}));"
)


def _click_value(tree: JsonTree, row: int) -> None:
    index = tree.model_.index(row, 1)
    QTest.mouseClick(
        tree.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        tree.visualRect(index).center(),
    )


def _value_text(tree: JsonTree, row: int) -> str:
    return str(tree.model_.index(row, 1).data())


def test_an_offloaded_output_loads_when_its_row_is_clicked(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    client, project = window.client, window.workspace._project_id()
    assert client is not None
    assert project is not None
    definition = flow(code("rows", BIG), code("small", OK), name="Big output")
    run_id = run(qt_loop, published_run(client, project, definition, "SUCCEEDED"))
    view = run(qt_loop, window.workspace.open_run(run_id))
    assert view is not None
    view.select("rows")
    assert view.tree.rows()[1][0] == "output"
    label = _value_text(view.tree, 1)
    assert label.startswith("Load value ("), label
    assert label.endswith(" KB)"), label
    assert int(label.removeprefix("Load value (").removesuffix(" KB)")) > 32
    assert view.grab().save(str(artifacts_dir / "desktop-run-large-output.png"))
    _click_value(view.tree, 1)
    assert _value_text(view.tree, 1) == "Loading value…"
    until(qt_loop, lambda: _value_text(view.tree, 1) == "[…] 5000 items")
    view.tree.expand(view.tree.model_.index(1, 0))
    assert ("[4]", "{…} 2 keys") in view.tree.rows()
    # Loaded once: showing the step again needs no request.
    view.select("small")
    assert _value_text(view.tree, 1) == "{…} 1 key"
    view.select("rows")
    assert _value_text(view.tree, 1) == "[…] 5000 items"

    # A reference the server does not have says why on its row; a click tries again.
    view.tree.show_values({"input": {}, "output": {"$offloaded": f"{run_id}/gone", "size": 4096}})
    assert _value_text(view.tree, 1) == "Load value (4 KB)"
    _click_value(view.tree, 1)
    until(qt_loop, lambda: _value_text(view.tree, 1).startswith("Not loaded:"))
    assert "has no stored output" in _value_text(view.tree, 1)
    assert _value_text(view.tree, 1).endswith("(click to retry)")
