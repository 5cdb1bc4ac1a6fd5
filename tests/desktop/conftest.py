"""GUI fixtures: a qasync event loop on pytest-qt's QApplication."""

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from desktop.main_thread_gc import MainThreadGc

# No display in CI: render offscreen unless the caller chose a platform (e.g. xcb under Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def desktop_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The desktop's settings and remembered accounts go to a fresh folder, never the user's."""
    directory = tmp_path / "desktop-config"
    monkeypatch.setenv("PW_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def qt_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """The desktop's event loop: asyncio running on Qt's, as in desktop.app.

    Like the app, cycles are collected in the GUI thread only: a closed qasync loop is a cycle
    holding a Qt timer object with pending timers, and when an executor thread's allocation
    collected it, the GUI thread crashed in its event dispatch (about 1 full run in 3).
    """
    collector = MainThreadGc()
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    # What is still queued (callbacks sent from executor threads, timers falling due) runs while
    # the loop is open: once, pytest-qt's processEvents after the loop was closed segfaulted.
    loop.run_until_complete(asyncio.sleep(0.05))
    qapp.processEvents()
    loop.close()
    asyncio.set_event_loop(None)
    collector.stop()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Keeps pytest's exit status for pytest_unconfigure.

    (A `pytest_sessionstart` here never ran: this conftest is loaded during collection, after
    the session started, so the status was always read as 0 and failures ended green.)
    """
    session.config._pw_exit_status = int(exitstatus)  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Ends the process once pytest is done, without the interpreter's final clean-up.

    After a green run that used two main windows, PySide6 6.12 aborted the process while the
    interpreter finalized ("bool_dealloc: deallocating True or False", a refcount bug in the
    binding), turning the exit status into 134. Every report and plugin has finished by now;
    the exit status is pytest's own (tests/architecture checks a failing run still fails).
    """
    status = int(getattr(config, "_pw_exit_status", 1))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
