"""Saving a streaming reply: its steps reach the store in batches, and the window hears when
saving fails and when it works again.

A store write that fails (disk full) never stops the conversation: the store keeps it queued,
the window hears `save_failed` once, and `saved` when a later write or `retry` got it in.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.engine.events import StepEvent
from desktop.store.db import Store

SAVE_INTERVAL_MS = 500  # a crash loses at most this much of a streaming reply


class Saving(QObject):
    """Batches a reply's steps into the store and reports the store's write failures."""

    save_failed = Signal(str)  # one line: what failed and what to do
    saved = Signal()  # everything that failed to save is saved now

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._reply_id: int | None = None
        self._unsaved: list[StepEvent] = []
        self._failure: str | None = None  # the failure the window was last told about
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.save_steps)

    def add_step(self, reply_id: int, step: StepEvent) -> None:
        """Keep a step of the streaming reply; it is written within `SAVE_INTERVAL_MS`."""
        if reply_id != self._reply_id:
            self.save_steps()
            self._reply_id = reply_id
        self._unsaved.append(step)
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def save_steps(self) -> None:
        """Write the steps kept so far (before the reply is finished, and on shutdown)."""
        if self._reply_id is not None and self._unsaved:
            self.store.append_steps(self._reply_id, self._unsaved)
            self.report()
        self._unsaved = []

    def retry(self) -> None:
        """Try the writes that failed again (the notice's Retry save)."""
        if not self.store.flush():
            self._failure = None  # a retry that fails again is said again
        self.report()

    def report(self) -> None:
        """Tell the window when saving starts failing, or works again."""
        failure = self.store.failure
        if failure is not None and failure != self._failure:
            self.save_failed.emit(failure)
        elif failure is None and self._failure is not None:
            self.saved.emit()
        self._failure = failure
