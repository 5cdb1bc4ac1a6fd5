"""Against a real server: an Activepieces export imported and drawn, connections, and the main screens."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from engine.model import iter_steps
from tests.conftest import ROOT, ServerProcess
from tests.desktop.gui_helpers import run

FIXTURES = ROOT / "tests" / "engine" / "fixtures" / "activepieces"


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


def test_activepieces_exports_are_drawn_with_unknown_pieces_marked(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    assert run(qt_loop, window.flows.import_file(FIXTURES / "legacy_branch_flows.json"))
    assert run(qt_loop, window.flows.import_file(FIXTURES / "router_template.json"))
    assert window.grab().save(str(artifacts_dir / "desktop-flows-list.png"))
    names = window.flows_panel.flow_names()
    row = names.index("Route support tickets by priority")
    flow_id = window.flows_panel.flow_id_at(row)
    assert flow_id is not None
    builder = run(qt_loop, window.workspace.open_flow(flow_id))
    assert builder is not None
    scene = builder.scene
    assert scene.step_items["trigger"].title == "Catch Webhook"
    assert [label.text for label in scene.label_items]
    flow = builder.document.flow
    assert set(scene.step_items) == {"trigger", *(s.name for s in iter_steps(flow.steps))}
    assert builder.grab().save(str(artifacts_dir / "desktop-imported-flow.png"))

    slack_row = window.flows_panel.flow_names().index(
        next(n for n in window.flows_panel.flow_names() if n != "Route support tickets by priority")
    )
    slack_id = window.flows_panel.flow_id_at(slack_row)
    assert slack_id is not None
    legacy = run(qt_loop, window.workspace.open_flow(slack_id))
    assert legacy is not None
    marked = {
        name: item.problems for name, item in legacy.scene.step_items.items() if item.problems
    }
    assert any("slack" in " ".join(problems) for problems in marked.values()), marked
    selector = legacy.choose_step_for(legacy.scene.slot_items[0].placement)
    selector.search.setText("http")
    assert any(c.display_name.startswith("HTTP") for c in selector.choices())
    selector.search.setText("")
    assert [c.display_name for c in selector.choices()][:3] == ["Code", "Loop on items", "Router"]
    assert selector.grab().save(str(artifacts_dir / "desktop-piece-selector.png"))
    selector.reject()


def test_connections_are_created_and_deleted(
    window: MainWindow, qt_loop: asyncio.AbstractEventLoop, artifacts_dir: Path
) -> None:
    panel = window.workspace.connections_panel
    dialog = panel.ask_new()
    # The server checks a connection against its piece's auth: Discord's is custom (a bot token).
    dialog.piece.setCurrentIndex(dialog.piece.findData("discord"))
    dialog.kind.setCurrentText("CUSTOM_AUTH")
    dialog.external_id.setText("api")
    dialog.display_name.setText("My API")
    dialog.secret.setText('{"bot_token": "s3cret"}')
    assert dialog.secret.echoMode() == dialog.secret.EchoMode.Password
    dialog._accept()
    run(qt_loop, asyncio.sleep(0))
    assert panel.names() == ["My API"]
    window.tabs.setCurrentWidget(panel)
    assert window.grab().save(str(artifacts_dir / "desktop-connections.png"))

    connection_id = window.workspace.connections[0].id
    assert run(qt_loop, window.workspace.delete_connection(connection_id))
    assert panel.names() == []
