"""Qt objects in garbage cycles are destroyed in the GUI thread, never in a worker thread."""

import gc
import threading

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from desktop.main_thread_gc import MainThreadGc


class Probe(QObject):
    """A Qt object that records the thread it was destroyed in."""

    def __init__(self, destroyed_in: list[str]) -> None:
        super().__init__()
        self.destroyed_in = destroyed_in
        self.cycle = self

    def __del__(self) -> None:
        self.destroyed_in.append(threading.current_thread().name)


def _garbage_probe(destroyed_in: list[str]) -> None:
    gc.collect()  # the counts start from zero: no automatic collection before the worker's
    Probe(destroyed_in)  # unreachable at once, but only the cycle collector can free it


def _allocate_in_a_worker() -> None:
    def allocate() -> None:
        kept = [[i] for i in range(50_000)]  # far past the youngest generation's threshold
        del kept

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()


def test_without_it_a_worker_thread_collects_the_qt_object() -> None:
    """The hazard the collector removes (and the proof that this test can see it)."""
    assert gc.isenabled()
    destroyed_in: list[str] = []
    _garbage_probe(destroyed_in)
    _allocate_in_a_worker()
    assert destroyed_in == ["worker"]


def test_the_gui_thread_collects_cycles_that_workers_allocated_past_the_threshold(
    qtbot: QtBot,
) -> None:
    destroyed_in: list[str] = []
    collector = MainThreadGc(interval_ms=20)
    try:
        assert not gc.isenabled()
        _garbage_probe(destroyed_in)
        _allocate_in_a_worker()
        assert destroyed_in == []
        qtbot.waitUntil(lambda: destroyed_in != [], timeout=5000)
        assert destroyed_in == [threading.main_thread().name]
    finally:
        collector.stop()
    assert gc.isenabled()


def test_stop_collects_what_is_left_in_this_thread() -> None:
    destroyed_in: list[str] = []
    collector = MainThreadGc(interval_ms=60_000)
    _garbage_probe(destroyed_in)
    collector.stop()
    assert destroyed_in == [threading.main_thread().name]
    assert gc.isenabled()
