"""Measures how long the GUI event loop goes without running: the window must never freeze."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Slot

TICK_MS = 10


class StallProbe(QObject):
    """A 10 ms timer; a stall is how much later than due a tick arrives. `worst_ms` is the max."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worst_ms = 0.0
        self.ticks = 0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.worst_ms = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000 - TICK_MS)
        self._last = now
        self.ticks += 1
