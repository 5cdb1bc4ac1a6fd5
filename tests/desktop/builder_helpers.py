"""Helpers shared by the builder GUI tests: a signed-in main window and new flows opened in it."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.panels.builder_panel import BuilderPanel
from tests.conftest import ServerProcess
from tests.desktop.gui_helpers import run


@contextmanager
def main_window(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, server: ServerProcess
) -> Iterator[MainWindow]:
    """The app's main window on the test server, closed (saves stopped) afterwards."""
    main = MainWindow(data_dir=server.data_dir)
    qtbot.addWidget(main)
    main.resize(1300, 820)
    main.show()
    assert run(loop, main.start(start_server=False))
    yield main
    for builder in main.workspace.builders.values():
        builder.saves.close()
    run(loop, main.close_client())


def open_new_flow(window: MainWindow, loop: asyncio.AbstractEventLoop, name: str) -> BuilderPanel:
    """Creates a flow through the flows list and opens its builder."""
    assert run(loop, window.flows.create(name))
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    builder = run(loop, window.workspace.open_flow(flow_id))
    assert builder is not None
    return builder
