"""The desktop application: one QApplication on one qasync event loop."""

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from desktop.main_window import MainWindow


def run_app(*, data_dir: Path) -> int:
    """Shows the main window until it is closed; the local server keeps running for schedules and webhooks."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Piecework")
    loop = qasync.QEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4))
    asyncio.set_event_loop(loop)
    window = MainWindow(data_dir=data_dir)
    window.show()
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def main() -> None:
        await window.start()
        await closed.wait()
        await window.close_client()

    with loop:
        loop.run_until_complete(main())
    return 0
