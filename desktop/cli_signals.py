"""Ctrl-C for `tandem generate`: a stop flag instead of an exception llama.cpp would swallow.

Python raises KeyboardInterrupt wherever the main thread runs Python next; while a model loads
that is llama.cpp's ctypes progress or log callback, which prints the exception and carries on.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType, TracebackType


class Interrupt:
    """While entered, SIGINT sets `event` (pass it as the load's and the reply's cancel).

    `check()` turns a set event into KeyboardInterrupt where it is safe to raise. A second Ctrl-C
    ends the process at once, in case something never looks at the event.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._previous: object = None
        self._installed = False

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():  # only there can Python set handlers
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]
            self._installed = False

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        self.event.set()

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was pressed."""
        if self.event.is_set():
            raise KeyboardInterrupt
