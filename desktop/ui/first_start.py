"""Shown when no model is installed: what Tandem needs, and a button that fetches it."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.models.download_meter import time_left
from desktop.qt.payloads import FetchProgress

VERBS = {"download": "Downloading", "assemble": "Assembling", "verify": "Checking", "verified": "Checked"}
COLUMN_CHARS = 90  # the text column's widest, in average characters: lines a person can read


def _role(file_name: str, pair: str) -> str:
    """ "the verifier" or "the draft" of catalog pair `pair`, else the file's own name."""
    from desktop.models.catalog import CATALOG

    try:
        entry = CATALOG.pair(pair)
    except Exception:
        return file_name
    return {entry.verifier: "the verifier", entry.draft: "the draft"}.get(file_name, file_name)


def progress_words(progress: FetchProgress, pair: str, rate: float = 0.0) -> str:
    """E.g. "Downloading the verifier: 312 of 1,117 MB, 2 min left" (rate in bytes/s)."""
    verb, _, name = progress.label.partition(" ")
    if not name:
        verb, name = "", progress.label
    what = _role(name, pair)
    if verb == "make":
        return f"Making {what} from the verifier’s file…"
    head = f"{VERBS.get(verb, verb.capitalize())} {what}".strip()
    if not progress.total:
        return f"{head}: {progress.done / 1e6:,.0f} MB"
    text = f"{head}: {progress.done / 1e6:,.0f} of {progress.total / 1e6:,.0f} MB"
    if rate > 0 and progress.done < progress.total:
        text += f", {time_left((progress.total - progress.done) / rate)} left"
    return text


def _wrapped(text: str) -> QLabel:
    """A label that wraps within the column and is as tall as its lines (never cut off)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


class FirstStart(QWidget):
    """Explains the model pair and fetches the default (or tiny) pair with progress."""

    fetch_requested = Signal(str)  # pair name
    choose_files_requested = Signal()

    def __init__(self, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self.pair = ""  # the pair being fetched
        self._start: tuple[str, float, int] | None = None  # (label, time, bytes) of the current file
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        column = QWidget()
        column.setMaximumWidth(self.fontMetrics().averageCharWidth() * COLUMN_CHARS)
        outer.addStretch(1)
        outer.addWidget(column, 20)  # up to its maximum; the stretches centre what is left
        outer.addStretch(1)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addStretch(1)
        title = _wrapped("<h2>Welcome to Tandem</h2>")
        layout.addWidget(title)
        text = _wrapped(
            "Tandem chats with two local models at once: a small <b>draft</b> model guesses the next few "
            "tokens and a larger <b>verifier</b> checks them all in one pass, keeping the ones it agrees "
            "with. Every reply shows which tokens were <b>accepted</b> from the draft and which the "
            "verifier wrote itself.<br><br>No model pair is installed yet. The default pair is "
            "Qwen2.5-Coder 1.5B with a 0.5B draft (1.6 GB download); the tiny pair (SmolLM2-135M, "
            "about 100 MB) is quick to try. Both are checked against their published checksums. "
            "You can also fetch from a terminal: <code>tandem models fetch default</code>."
        )
        text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text)
        self.default_button = QPushButton("Fetch the default pair (1.6 GB)")
        self.default_button.setObjectName("primary")
        self.tiny_button = QPushButton("Fetch the tiny pair (100 MB)")
        self.files_button = QPushButton("Use GGUF files I already have…")
        for button in (self.default_button, self.tiny_button, self.files_button):
            button.setMinimumWidth(min(320, button.sizeHint().width() + 24))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = _wrapped("")
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        layout.addStretch(2)
        self.default_button.clicked.connect(lambda: self._fetch("default"))
        self.tiny_button.clicked.connect(lambda: self._fetch("tiny"))
        self.files_button.clicked.connect(self.choose_files_requested)

    def set_busy(self, busy: bool) -> None:
        for button in (self.default_button, self.tiny_button, self.files_button):
            button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def _fetch(self, pair: str) -> None:
        self.pair = pair
        self._start = None
        self.fetch_requested.emit(pair)

    def show_progress(self, progress: FetchProgress) -> None:
        self.set_busy(True)
        if progress.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * progress.done / progress.total))
        else:
            self.progress.setRange(0, 0)  # busy indicator when the size is unknown
        now = self._clock()
        if self._start is None or self._start[0] != progress.label:
            self._start = (progress.label, now, progress.done)
        _, since, first = self._start
        rate = (progress.done - first) / (now - since) if now > since else 0.0
        self.status.setText(progress_words(progress, self.pair, rate))

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.status.setText(message)
