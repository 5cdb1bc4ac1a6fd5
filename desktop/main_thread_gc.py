"""Python's cycle collector, run in the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate, often a worker of
the default executor (reading a file, storing a token). A Qt object in a collected cycle is then
destroyed in that thread while the GUI thread is dispatching its events and timers: Qt warns
"Timers cannot be stopped from another thread" and the GUI thread can crash. So the automatic
collector is off while the app runs, and a timer in the GUI thread collects instead.
"""

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadGc(QObject):
    """Collects cycles from the GUI thread's event loop; `stop` gives collection back to Python."""

    def __init__(self, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> None:
        """Collects the young generation if anything was allocated, older ones by their thresholds.

        The young generation is collected at every tick rather than past its threshold: the
        allocation count drops again when objects are freed, so a peak between two ticks (a
        worker building and dropping a big list) would otherwise leave its cycles for long.
        """
        counts = gc.get_count()
        if counts[0] <= 0:
            return
        due = 0
        thresholds = gc.get_threshold()
        while due + 1 < len(counts) and counts[due + 1] >= thresholds[due + 1]:
            due += 1
        gc.collect(due)

    def stop(self) -> None:
        """Collects everything now, in this thread, and turns the automatic collector back on."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
