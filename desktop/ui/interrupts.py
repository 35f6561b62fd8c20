"""Ctrl-C and SIGTERM close the window the way its close button does.

Python runs a signal handler only between bytecodes, and Qt's loop is C++: the handler would
wait for the next Python slot (Ctrl-C then raised KeyboardInterrupt inside some slot). With
`signal.set_wakeup_fd` each signal's number lands on a socket a QSocketNotifier watches, so the
loop wakes at once and the window closes on the GUI thread: the reply stops and is saved.
"""

from __future__ import annotations

import signal
import socket
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

# Ctrl-C is an interrupt (128 + 2, as shells report it); SIGTERM is a polite quit, like the
# close button, so it exits 0.
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 0}


class Interrupts(QObject):
    """Turns SIGINT and SIGTERM into `received`; a second one of the same kind kills at once."""

    received = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signal: int | None = None  # the first signal received
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._wakeup = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {s: signal.signal(s, self._handle) for s in EXIT_STATUS}
        # A file-size limit (ulimit -f) would kill the process mid-write; ignored, the write fails
        # with "disk full" and the window says so.
        self._xfsz = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wake)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        """Python's handler: the work happens in `_on_wake`; a second signal is not caught again."""
        signal.signal(signum, signal.SIG_DFL)

    @Slot()
    def _on_wake(self) -> None:
        try:
            data = self._reader.recv(64)
        except OSError:
            return
        for signum in data:
            if signum in EXIT_STATUS and self.signal is None:
                self.signal = signum
                self.received.emit(signum)

    def exit_status(self) -> int | None:
        """What the process should exit with when a signal closed it; None otherwise."""
        return EXIT_STATUS[signal.Signals(self.signal)] if self.signal is not None else None

    def restore(self) -> None:
        """Put the previous handlers back (tests run the app in-process)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._wakeup)
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        signal.signal(signal.SIGXFSZ, self._xfsz)
        self._reader.close()
        self._writer.close()
