"""Short jobs (a library scan, a Hub search) run off the GUI thread, one at a time.

The window never waits on a disk or the network; each result comes back through `done`, a signal
emitted on the worker thread and delivered to slots on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.engine.errors import TandemError


@dataclass(frozen=True)
class TaskDone:
    """A finished job: what it was (`tag`), its value, or the one line that says why it failed."""

    tag: str
    value: object = None
    error: str | None = None


class Tasks(QObject):
    """One worker thread for short jobs; `close` waits for the running one."""

    done = Signal(object)  # TaskDone

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    def run(self, tag: str, job: Callable[[], object]) -> None:
        """Run `job` after the jobs already queued; `done` carries its result under `tag`."""
        if not self._closed:
            self._pool.submit(self._call, tag, job)

    def _call(self, tag: str, job: Callable[[], object]) -> None:
        try:
            result = TaskDone(tag, job())
        except TandemError as e:
            result = TaskDone(tag, error=str(e))
        except OSError as e:
            result = TaskDone(tag, error=f"{e.filename or 'a file'}: {e.strerror or e}")
        except Exception as e:  # a bug must not leave the page waiting for an answer forever
            result = TaskDone(tag, error=f"unexpected {type(e).__name__}: {e}")
        if not self._closed:
            self.done.emit(result)

    def close(self, wait: bool = True) -> None:
        """Drop queued jobs (with `wait`, wait for the running one); nothing is reported after this."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
