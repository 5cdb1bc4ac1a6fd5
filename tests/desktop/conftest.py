"""GUI fixtures: a qasync event loop on pytest-qt's QApplication."""

import asyncio
import os
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication

# No display in CI: render offscreen unless the caller chose a platform (e.g. xcb under Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """The desktop's event loop: asyncio running on Qt's, as in desktop.app."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)
