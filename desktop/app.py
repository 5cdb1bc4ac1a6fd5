"""The desktop application: one QApplication on one qasync event loop, with its tray icon."""

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import qasync
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.client import stop_local_server
from desktop.main_thread_gc import MainThreadGc
from desktop.main_window import MainWindow
from desktop.preferences import PreferencesStore, default_config_dir
from desktop.resources import icon_path
from desktop.theme import apply_theme
from desktop.tray import Tray


def run_app(*, data_dir: Path | None = None) -> int:
    """Shows the main window until Quit; closing it keeps the app in the tray (personal mode).

    `data_dir` (from the command line) wins over the one chosen in Settings.
    """
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Piecework")
    icon = QIcon(str(icon_path()))
    app.setWindowIcon(icon)
    collector = MainThreadGc()  # Qt objects are destroyed in the GUI thread, not a worker's
    loop = qasync.QEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4))
    asyncio.set_event_loop(loop)
    config_dir = default_config_dir()
    preferences = PreferencesStore(config_dir).load()
    apply_theme(app, preferences.theme)
    data_dir = data_dir or preferences.resolved_data_dir()
    window = MainWindow(
        data_dir=data_dir, config_dir=config_dir, offer_samples=True, watch_server=True
    )
    tray = Tray(
        window=window,
        icon=icon,
        stop_server=lambda: stop_local_server(data_dir),
        quit_app=app.quit,
    )
    window.tray = tray
    tray.on_quit_requested(window.request_quit)
    # With a tray the app lives on after the window closes; without one, closing quits.
    app.setQuitOnLastWindowClosed(not tray.available)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def main() -> None:
        await window.start()
        await closed.wait()
        await window.close_client()

    with loop:
        loop.run_until_complete(main())
    collector.stop()
    return 0
