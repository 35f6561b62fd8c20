"""A dismissable line above the composer: typed errors, and Undo after a delete."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Notice(QWidget):
    """Shows one message with an optional action; hides itself after `timeout_ms` if given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("banner")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.hide()
        layout.addWidget(self.action)
        self.close_button = QPushButton("Dismiss")
        layout.addWidget(self.close_button)
        self.close_button.clicked.connect(self.dismiss)
        self.action.clicked.connect(self._act)
        self._callback: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(
        self, text: str, action: str = "", callback: Callable[[], None] | None = None, timeout_ms: int = 0
    ) -> None:
        self.label.setText(text)
        self._callback = callback
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self._timer.stop()
        if timeout_ms:
            self._timer.start(timeout_ms)
        self.show()

    @Slot()
    def dismiss(self) -> None:
        self._callback = None
        self.hide()

    @Slot()
    def _act(self) -> None:
        callback = self._callback
        self.dismiss()
        if callback is not None:
            callback()
