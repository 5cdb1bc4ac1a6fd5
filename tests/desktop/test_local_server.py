"""Starting the local server from the desktop: its command, and what a failed start tells a person."""

import asyncio
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.client import LocalServerError, local_server
from desktop.main_window import MainWindow


def test_the_server_command_is_the_app_itself_when_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local_server.server_command() == [sys.executable, "-m", "piecework", "server"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert local_server.server_command() == [sys.executable, "server"]


def test_a_failed_start_quotes_the_server_error_of_this_start(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("error: an old failure from yesterday\n")
    offset = log.stat().st_size
    with log.open("a") as out:
        out.write("INFO starting\nerror: Only 3 MB are free on the disk; free some space.\n")
    message = local_server.startup_failure(log, offset=offset)
    assert message.startswith("The local Piecework server could not start. Only 3 MB are free")
    assert "yesterday" not in message
    assert str(log) in message
    assert local_server.startup_failure(tmp_path / "none.log") == (
        f"The local server stopped while starting; see {tmp_path / 'none.log'}"
    )


def test_the_window_shows_a_failed_start_in_a_dialog(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def fail(*_args: object, **_kwargs: object) -> None:
        raise LocalServerError(
            "The local Piecework server could not start. The database in /x/pgdata is damaged."
            "\n\nDetails: /x/server.log"
        )

    monkeypatch.setattr("desktop.window_connection.connect_local_server", fail)
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    window.show()

    assert not qt_loop.run_until_complete(window.start())

    dialog = window.error_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert "is damaged" in dialog.text()
    assert window.statusBar().currentMessage() == (
        "The local Piecework server could not start. The database in /x/pgdata is damaged."
    )
    dialog.accept()
