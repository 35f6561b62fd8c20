"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate. When that is the worker
thread (it allocates on every step) and the garbage holds Qt objects made on the GUI thread,
they are destroyed from the wrong thread and the app crashes later, far from the cause. So
automatic collection is switched off while the window runs, and a GUI-thread timer collects
with the same generation thresholds instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Collects cyclic garbage from a timer on the thread that owns it (the GUI thread)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    @Slot()
    def check(self) -> None:
        """Collect the oldest generation whose count has passed its threshold, if any."""
        generation = -1
        for gen, (count, threshold) in enumerate(zip(gc.get_count(), self._thresholds, strict=True)):
            if count > threshold:
                generation = gen
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        """Collect once more here and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
