"""The app shell: tray (close keeps the server, Quit stops it), settings, about, first-launch samples."""

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.client import stop_local_server
from desktop.main_window import MainWindow
from desktop.preferences import NetworkMode, PreferencesStore, Theme
from desktop.tray import Tray
from tests.conftest import ServerProcess
from tests.desktop.gui_helpers import run


def test_closing_keeps_the_server_and_quit_stops_it(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> None:
    window = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(window)
    quits: list[bool] = []
    tray = Tray(
        window=window,
        stop_server=lambda: stop_local_server(server_process.data_dir),
        quit_app=lambda: quits.append(True),
        available=True,
    )
    window.tray = tray
    window.show()
    assert run(qt_loop, window.start(start_server=False))
    assert window.close() is False  # hidden, not closed
    assert not window.isVisible()
    assert server_process.process.poll() is None
    tray.show_window()
    assert window.isVisible()

    window.request_quit()
    run(qt_loop, asyncio.sleep(0))
    assert quits == [True]
    assert server_process.process.wait(30) == 0
    assert not (server_process.data_dir / "server.json").exists()


def test_without_a_system_tray_closing_quits_and_notifications_use_the_status_line(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    tray = Tray(window=window, stop_server=_stopped, quit_app=lambda: None, available=False)
    window.tray = tray
    assert tray.icon is None
    assert not tray.notify("title", "message")
    window.notify("“Daily” failed", "step_1")
    assert window.statusBar().currentMessage() == "“Daily” failed: step_1"
    window.show()
    assert window.close() is True


async def _stopped() -> bool:
    return True


def test_settings_show_wrong_values_inline_and_persist_good_ones(
    qtbot: QtBot, tmp_path: Path, desktop_config_dir: Path, artifacts_dir: Path
) -> None:
    window = MainWindow(data_dir=tmp_path)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    from desktop.settings_dialog import SettingsDialog

    assert isinstance(dialog, SettingsDialog)
    dialog.data_dir.setText("relative/dir")
    dialog.public_url.setText("flows.example.com")
    assert not dialog.save()
    assert dialog.errors["data_dir"].text().startswith("Use a full path")
    assert dialog.errors["public_url"].text().startswith("Enter an address such as")
    assert dialog.grab().save(str(artifacts_dir / "desktop-settings.png"))

    dialog.data_dir.setText(str(tmp_path / "data"))
    dialog.public_url.setText("https://flows.example.com/")
    dialog.network_mode.setCurrentIndex(1)
    dialog.theme.setCurrentIndex(2)
    dialog.notify_failed_runs.setChecked(False)
    assert dialog.save()
    saved = PreferencesStore(desktop_config_dir).load()
    assert saved.data_dir == str(tmp_path / "data")
    assert saved.public_url == "https://flows.example.com"
    assert saved.network_mode == NetworkMode.UNRESTRICTED
    assert saved.theme == Theme.DARK
    assert not saved.notify_failed_runs
    assert saved.server_environment() == {
        "PW_NETWORK_MODE": "UNRESTRICTED",
        "PW_PUBLIC_URL": "https://flows.example.com",
    }
    assert MainWindow(data_dir=tmp_path).preferences == saved

    about = window.open_about()
    assert "PySide6" in about.text()
    about.accept()


def test_first_launch_adds_the_sample_flows_once(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server_process: ServerProcess
) -> None:
    window = MainWindow(data_dir=server_process.data_dir, offer_samples=True)
    qtbot.addWidget(window)
    assert run(qt_loop, window.start(start_server=False))
    names = sorted(window.flows_panel.flow_names())
    assert "Add two numbers (webhook)" in names
    assert len(names) >= 2
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    assert run(qt_loop, window.flows.delete(flow_id))
    run(qt_loop, window.close_client())

    again = MainWindow(data_dir=server_process.data_dir, offer_samples=True)
    qtbot.addWidget(again)
    assert run(qt_loop, again.start(start_server=False))
    assert len(again.flows_panel.flow_names()) == len(names) - 1  # not added a second time
    run(qt_loop, again.close_client())
