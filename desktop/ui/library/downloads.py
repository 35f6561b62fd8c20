"""Downloads under the library's pages: one row per file, with progress said as a person says it.

The DownloadQueue runs the downloads one at a time on its own thread; its reports reach the GUI
thread through a queued signal. Cancel keeps the bytes fetched so far for a later Resume.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.models.download import download
from desktop.models.download_queue import Download, DownloadQueue, JobState, JobUpdate
from desktop.models.hub import RemoteFile
from desktop.ui.library.rows import megabytes

NAME_CHARS = 40  # longer file names are cut in the middle: the start and the quantization stay


def short_name(name: str, chars: int = NAME_CHARS) -> str:
    """``qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`` -> ``qwen2.5-coder-…-q4_k_m.gguf``."""
    if len(name) <= chars:
        return name
    tail = chars // 2
    return f"{name[: chars - tail - 1]}…{name[-tail:]}"


def says(update: JobUpdate) -> str:
    """The row's line for `update`."""
    name = short_name(Path(update.remote.path).name)
    if update.state is JobState.QUEUED:
        return f"Waiting to download {name} ({megabytes(update.remote.size)})"
    if update.state is JobState.RUNNING and update.progress is not None:
        return replace(update.progress, name=name).line()
    if update.state is JobState.RUNNING:
        return f"Downloading {name}…"
    if update.state is JobState.DONE:
        return f"Downloaded {name}: it is in the list of models"
    if update.state is JobState.CANCELLED and not update.error:
        return f"Cancelled {name} before it started"
    return update.error or f"{name}: {update.state.value}"


class DownloadRow(QWidget):
    """A file's line, its progress bar, and Cancel (then Resume and Clear once it ended)."""

    def __init__(self, update: JobUpdate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.update_ = update
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.cancel = QPushButton("Cancel")
        self.resume = QPushButton("Resume")
        self.clear = QPushButton("Clear")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.bar, 1, 0)
        for column, button in enumerate((self.cancel, self.resume, self.clear), start=1):
            grid.addWidget(button, 0, column, 2, 1)
        grid.setColumnStretch(0, 1)
        self.show_update(update)

    def show_update(self, update: JobUpdate) -> None:
        self.update_ = update
        ended = update.state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
        self.label.setText(says(update))
        bad = update.state is JobState.FAILED
        self.label.setStyleSheet("color: #d1453b;" if bad else "")
        if update.progress is not None:
            self.bar.setValue(int(1000 * update.progress.done / max(update.progress.total, 1)))
        if update.state is JobState.DONE:
            self.bar.setValue(1000)
        self.bar.setVisible(not ended or update.state is JobState.DONE)
        self.cancel.setVisible(not ended)
        self.resume.setVisible(update.state in (JobState.FAILED, JobState.CANCELLED))
        self.clear.setVisible(ended)


class DownloadsPanel(QWidget):
    """Queued, running and ended downloads; `finished` carries each downloaded file's path."""

    finished = Signal(object)  # Path
    _updated = Signal(object)  # JobUpdate, emitted on the queue's thread

    def __init__(
        self, root: Path | None = None, fetch: Download = download, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rows: dict[int, DownloadRow] = {}
        self._updated.connect(self._on_update)
        self.queue = DownloadQueue(self._updated.emit, root, fetch)
        self.title = QLabel("<b>Downloads</b>")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.title)
        self.setVisible(False)

    def submit(self, remote: RemoteFile) -> int:
        """Queue `remote` (its row appears at once) unless it is already queued or running."""
        for job, row in self.rows.items():
            same = (row.update_.remote.repo, row.update_.remote.path) == (remote.repo, remote.path)
            if same and row.update_.state in (JobState.QUEUED, JobState.RUNNING):
                return job
        return self.queue.submit(remote)

    @Slot(object)
    def _on_update(self, update: JobUpdate) -> None:
        row = self.rows.get(update.job)
        if row is None:
            row = self.rows[update.job] = DownloadRow(update)
            row.cancel.clicked.connect(self._cancel)
            row.resume.clicked.connect(self._resume)
            row.clear.clicked.connect(self._clear)
            self.layout_.addWidget(row)
            self.setVisible(True)
        row.show_update(update)
        if update.state is JobState.DONE and update.path is not None:
            self.finished.emit(update.path)

    def _row_of(self, button: object) -> tuple[int, DownloadRow] | None:
        return next(((j, r) for j, r in self.rows.items() if button in (r.cancel, r.resume, r.clear)), None)

    @Slot()
    def _cancel(self) -> None:
        found = self._row_of(self.sender())
        if found is not None:
            self.queue.cancel(found[0])
            found[1].label.setText(f"Cancelling {short_name(Path(found[1].update_.remote.path).name)}…")

    @Slot()
    def _resume(self) -> None:
        found = self._row_of(self.sender())
        if found is not None:
            self._remove(found[0])
            self.submit(found[1].update_.remote)

    @Slot()
    def _clear(self) -> None:
        found = self._row_of(self.sender())
        if found is not None:
            self._remove(found[0])

    def _remove(self, job: int) -> None:
        row = self.rows.pop(job)
        self.layout_.removeWidget(row)
        row.deleteLater()
        self.setVisible(bool(self.rows))

    def close_queue(self, wait: bool = True) -> None:
        """Cancel every download (the bytes stay for a later Resume)."""
        self.queue.close(wait)
