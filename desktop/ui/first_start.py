"""Shown when no model is installed: what Tandem needs, and a button that fetches it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.qt.payloads import FetchProgress


class FirstStart(QWidget):
    """Explains the model pair and fetches the default (or tiny) pair with progress."""

    fetch_requested = Signal(str)  # pair name
    choose_files_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.setSpacing(14)
        layout.addStretch(1)
        title = QLabel("<h2>Welcome to Tandem</h2>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        text = QLabel(
            "Tandem chats with two local models at once: a small <b>draft</b> model guesses the next few "
            "tokens and a larger <b>verifier</b> checks them all in one pass, keeping the ones it agrees "
            "with. Every reply shows which tokens were <b>accepted</b> from the draft and which the "
            "verifier wrote itself.<br><br>No model pair is installed yet. The default pair is "
            "Qwen2.5-Coder 1.5B with a 0.5B draft (1.6 GB download); the tiny pair (SmolLM2-135M, "
            "about 100 MB) is quick to try. Both are checked against their published checksums. "
            "You can also fetch from a terminal: <code>tandem models fetch default</code>."
        )
        text.setWordWrap(True)
        text.setMaximumWidth(640)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        self.default_button = QPushButton("Fetch the default pair (1.6 GB)")
        self.default_button.setObjectName("primary")
        self.tiny_button = QPushButton("Fetch the tiny pair (100 MB)")
        self.files_button = QPushButton("Use GGUF files I already have…")
        for button in (self.default_button, self.tiny_button, self.files_button):
            button.setMinimumWidth(320)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(480)
        self.progress.hide()
        layout.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        self.status = QLabel("")
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.default_button.clicked.connect(lambda: self.fetch_requested.emit("default"))
        self.tiny_button.clicked.connect(lambda: self.fetch_requested.emit("tiny"))
        self.files_button.clicked.connect(self.choose_files_requested)

    def set_busy(self, busy: bool) -> None:
        for button in (self.default_button, self.tiny_button, self.files_button):
            button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def show_progress(self, progress: FetchProgress) -> None:
        self.set_busy(True)
        if progress.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * progress.done / progress.total))
            shown = f"{progress.done / 2**20:,.0f} of {progress.total / 2**20:,.0f} MiB"
        else:
            self.progress.setRange(0, 0)  # busy indicator when the size is unknown
            shown = f"{progress.done / 2**20:,.0f} MiB"
        self.status.setText(f"{progress.label}: {shown}")

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.status.setText(message)
