"""The composer: Enter sends, Shift+Enter adds a line, Esc stops; Regenerate and Edit last."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.qt.state import UiState
from desktop.ui.chat.context_meter import ContextMeter


class MessageEdit(QPlainTextEdit):
    """A multi-line editor whose Enter sends."""

    submitted = Signal()
    escaped = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        enter = e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not e.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        if e.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(e)


class Composer(QFrame):
    """Writes messages; `edit_submitted` instead of `submitted` while editing the last one."""

    submitted = Signal(str)
    edit_submitted = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()
    edit_requested = Signal()
    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.editing = False
        self.waiting = False  # a message was sent before the models were ready: it goes when they are
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)
        self.hint = QLabel("")
        self.hint.setObjectName("muted")
        self.hint.hide()
        outer.addWidget(self.hint)
        self.edit = MessageEdit()
        self.edit.setPlaceholderText(
            "Message the verifier and its draft…  (Enter sends, Shift+Enter adds a line)"
        )
        self.edit.setAccessibleName("Message")
        self.edit.setTabChangesFocus(True)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.textChanged.connect(self._fit_height)
        self._fit_height()
        outer.addWidget(self.edit)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("Write the last reply again (Ctrl+R)")
        self.edit_last = QPushButton("Edit last")
        self.edit_last.setToolTip("Edit your last message and send it again (Ctrl+E)")
        self.continue_reply = QPushButton("Continue")
        self.continue_reply.setToolTip("The reply stopped at the token limit: write more of it")
        self.continue_reply.hide()
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop the reply after the current step (Esc)")
        self.send = QPushButton("Send")
        self.send.setObjectName("primary")
        self.send.setToolTip("Send (Enter)")
        for button in (self.regenerate, self.edit_last, self.continue_reply):
            row.addWidget(button)
        row.addStretch(1)
        self.context = ContextMeter()
        row.addWidget(self.context)
        row.addWidget(self.stop)
        row.addWidget(self.send)
        outer.addLayout(row)
        self.edit.submitted.connect(self._submit)
        self.edit.escaped.connect(self._escape)
        self.send.clicked.connect(self._submit)
        self.stop.clicked.connect(self.stop_requested)
        self.stop.clicked.connect(self.edit.setFocus)  # Stop disables itself: keep focus here
        self.regenerate.clicked.connect(self.regenerate_requested)
        self.edit_last.clicked.connect(self.edit_requested)
        self.continue_reply.clicked.connect(self.continue_requested)
        self._state = UiState.EMPTY
        self.set_state(UiState.EMPTY, False, False)

    @Slot()
    def _fit_height(self) -> None:
        """Grow with the text from two lines to eight, then scroll."""
        line = self.edit.fontMetrics().lineSpacing()
        lines = max(2, min(8, int(self.edit.document().size().height())))
        margins = self.edit.contentsMargins()
        frame = int(self.edit.document().documentMargin() * 2) + margins.top() + margins.bottom() + 4
        self.edit.setFixedHeight(lines * line + frame)

    def set_state(self, state: UiState, has_reply: bool, has_user: bool, can_continue: bool = False) -> None:
        """Enable what makes sense now; typing is always allowed, and so is sending while the
        models load (the message waits for them). Continue shows only for a last reply cut at
        the token limit."""
        self._state = state
        self.send.setEnabled(state.can_send or (state.will_be_ready and not self.editing))
        self.stop.setEnabled(state.can_stop)
        self.regenerate.setEnabled(state.can_send and has_reply)
        self.edit_last.setEnabled(state.can_send and has_user)
        self.continue_reply.setVisible(can_continue)
        self.continue_reply.setEnabled(state.can_send and can_continue)

    def begin_edit(self, text: str, last: bool = True) -> None:
        self.editing = True
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        self.hint.setText(
            "Editing your last message: Enter sends it again and replaces the reply, Esc cancels."
            if last
            else "Editing an earlier message: Enter sends it again and replaces everything after it, "
            "Esc cancels."
        )
        self.hint.show()
        self.edit.setFocus()

    def end_edit(self) -> None:
        self.editing = False
        self.hint.hide()

    def set_waiting(self, waiting: bool) -> None:
        """Say that the message in the editor will go as soon as the models are ready."""
        self.waiting = waiting
        self.hint.setText("Will send when the models are ready…")
        self.hint.setVisible(waiting)

    def _submit(self) -> None:
        ready = self._state.can_send or (self._state.will_be_ready and not self.editing)
        if not ready or self.waiting or not self.edit.toPlainText().strip():
            return
        text = self.edit.toPlainText()
        (self.edit_submitted if self.editing else self.submitted).emit(text)

    def _escape(self) -> None:
        if self._state.can_stop:
            self.stop_requested.emit()
        elif self.editing:
            self.end_edit()
            self.edit.clear()
