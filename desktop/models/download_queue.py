"""Several downloads, one at a time, on one worker thread; each can be cancelled, queued or running.

Updates are reported on the worker thread; a window passes them on through a Qt signal.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from desktop.engine.errors import TandemError
from desktop.models.download import download
from desktop.models.download_meter import Progress
from desktop.models.hub import RemoteFile
from desktop.models.hub_errors import DownloadCancelledError


class JobState(Enum):
    """Where a queued download is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobUpdate:
    """A change in one download: its state, and the progress, path or error that goes with it."""

    job: int
    remote: RemoteFile
    state: JobState
    progress: Progress | None = None
    path: Path | None = None
    error: str | None = None


Download = Callable[..., Path]


class DownloadQueue:
    """Runs submitted downloads in order on one thread; `on_update` hears every change."""

    def __init__(
        self, on_update: Callable[[JobUpdate], None], root: Path | None = None, fetch: Download = download
    ) -> None:
        self._on_update, self._root, self._fetch = on_update, root, fetch
        self._pending: queue.Queue[tuple[int, RemoteFile] | None] = queue.Queue()
        self._cancels: dict[int, threading.Event] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, remote: RemoteFile) -> int:
        """Queue `remote`; returns the job's id."""
        job = next(self._ids)
        with self._lock:
            self._cancels[job] = threading.Event()
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="downloads", daemon=True)
                self._worker.start()
        self._on_update(JobUpdate(job, remote, JobState.QUEUED))
        self._pending.put((job, remote))
        return job

    def cancel(self, job: int) -> None:
        """Cancel a queued or running job; its fetched bytes stay for a later pull."""
        with self._lock:
            event = self._cancels.get(job)
        if event is not None:
            event.set()

    def close(self, wait: bool = True) -> None:
        """Cancel everything; with `wait`, also wait for the worker to stop (a quitting app need not:
        the thread is a daemon, and the bytes fetched so far stay for the next try)."""
        with self._lock:
            for event in self._cancels.values():
                event.set()
            worker = self._worker
        self._pending.put(None)
        if worker is not None and wait:
            worker.join()

    def _run(self) -> None:
        while (item := self._pending.get()) is not None:
            job, remote = item
            with self._lock:
                cancel = self._cancels[job]
            if cancel.is_set():
                self._on_update(JobUpdate(job, remote, JobState.CANCELLED))
            else:
                self._on_update(self._attempt(job, remote, cancel))
            with self._lock:
                del self._cancels[job]

    def _attempt(self, job: int, remote: RemoteFile, cancel: threading.Event) -> JobUpdate:
        def report(progress: Progress) -> None:
            self._on_update(JobUpdate(job, remote, JobState.RUNNING, progress=progress))

        try:
            path = self._fetch(remote, root=self._root, progress=report, cancel=cancel)
        except DownloadCancelledError as exc:
            return JobUpdate(job, remote, JobState.CANCELLED, error=str(exc))
        except (TandemError, OSError) as exc:
            return JobUpdate(job, remote, JobState.FAILED, error=str(exc))
        except Exception as exc:  # a bug in one download must not stop the queue behind it
            return JobUpdate(job, remote, JobState.FAILED, error=f"unexpected {type(exc).__name__}: {exc}")
        return JobUpdate(job, remote, JobState.DONE, path=path)
