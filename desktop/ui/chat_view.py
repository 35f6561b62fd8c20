"""The message view: a projection of the conversation model into one QTextDocument.

A streaming reply grows the qtconsole way: steps wait in a pending list, a single-shot timer
flushes them in one edit block with one `insertText(text, format)` per run, and the view
follows only if the user was at the bottom. A finished reply is re-rendered as Markdown and
coloured again from its steps. Every token's format carries its message, step and source,
which is what tooltips and tests read back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QHelpEvent,
    QResizeEvent,
    QTextCursor,
    QTextFrame,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QTextBrowser, QToolTip, QWidget

from desktop.engine.events import Source, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.store.records import STREAMING, ChatMessage
from desktop.ui import highlight
from desktop.ui.chat.actions import COPY, parse, write_header
from desktop.ui.formats import MESSAGE_ID, STEP, ViewOptions, plain_format, source_of
from desktop.ui.markdown import Rendered, render
from desktop.ui.theme import LIGHT, Theme
from desktop.ui.tooltips import step_tooltip

FLUSH_MS = 33  # at most ~30 repaints a second however fast steps arrive
MAX_COLUMN = 860  # readable line length: wider windows centre the column


class ChatView(QTextBrowser):
    """Read-only view of the open conversation with step highlights and per-token tooltips."""

    copied = Signal(str)  # what was put on the clipboard, for a status message
    action_requested = Signal(str, int)  # a message action (edit, delete, previous, next) and its id

    def __init__(self, model: ConversationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat")
        self.setOpenLinks(False)
        self.setMouseTracking(True)
        self.setAccessibleName("Conversation")
        self.model = model
        self.theme: Theme = LIGHT
        self.options = ViewOptions()
        self._frames: dict[int, QTextFrame] = {}
        self._live: QTextFrame | None = None
        self._live_id = 0
        self._pending: list[StepEvent] = []
        self._rendered: dict[tuple[int, str], Rendered] = {}
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.anchorClicked.connect(self._on_anchor)
        model.reset.connect(self.rebuild)
        model.message_added.connect(self._on_message_added)
        model.step_added.connect(self._on_step_added)
        model.reply_finished.connect(self._on_reply_finished)
        self.rebuild()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.rebuild()

    def set_options(self, options: ViewOptions) -> None:
        self.options = options
        self.rebuild()

    # -- projection ---------------------------------------------------------------------

    @Slot()
    def rebuild(self) -> None:
        """Throw the document away and project every message again."""
        self._flush_timer.stop()
        self._pending.clear()
        self._frames.clear()
        self._live = None
        doc = self.document()
        doc.clear()
        doc.setDocumentMargin(16)
        doc.setDefaultStyleSheet(
            f"a {{ color: {self.theme.accent}; text-decoration: none; }}"
            f" h1 {{ font-size: x-large; }} h2 {{ font-size: large; }} h3 {{ font-size: medium; }}"
        )
        self._update_column()
        messages = self.model.messages()
        if not messages:
            self._empty_hint()
        for message in messages:
            self._append(message)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def _empty_hint(self) -> None:
        t = self.theme
        a, v = t.accepted[0], t.verifier[0]
        self.document().setHtml(
            f"<div style='color:{t.muted}'><br><br><p align='center' style='font-size:large'>"
            f"Ask something, and watch each reply arrive step by step.</p>"
            f"<p align='center'>Tokens the <b>draft</b> proposed and the verifier "
            f"<span style='background:{a}'>&nbsp;accepted&nbsp;</span> and the "
            f"<span style='background:{v}'>&nbsp;verifier&nbsp;</span>'s own tokens are coloured."
            f"<br>Hover over any token to see its step.</p></div>"
        )

    def _append(self, message: ChatMessage) -> None:
        t = self.theme
        cursor = self.document().rootFrame().lastCursorPosition()
        if self._frames or cursor.block().text():
            cursor.insertBlock()
        user = message.role == "user"
        write_header(cursor, message, t)
        frame_format = QTextFrameFormat()
        frame_format.setPadding(10 if user else 2)
        frame_format.setTopMargin(4)
        frame_format.setBottomMargin(10)
        if user:
            frame_format.setBackground(QColor(t.user_bubble))
        frame = cursor.insertFrame(frame_format)
        self._frames[message.id] = frame
        if user:
            frame.firstCursorPosition().insertText(message.content, plain_format(t))
        elif message.status == STREAMING:
            self._live, self._live_id = frame, message.id
            self._write_steps(frame.lastCursorPosition(), message.id, message.steps)
        else:
            self._render_finished(message, frame)

    def _write_steps(
        self, cursor: QTextCursor, message_id: int, steps: tuple[StepEvent, ...] | list[StepEvent]
    ) -> None:
        cursor.beginEditBlock()
        for text, fmt in highlight.runs(steps, self.theme, self.options, message_id):
            cursor.insertText(text, fmt)
        cursor.endEditBlock()

    def _render_finished(self, message: ChatMessage, frame: QTextFrame) -> None:
        key = (message.id, self.theme.name)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._rendered[key] = render(message.content, self.theme, message.id)
        cursor = frame.firstCursorPosition()
        cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        cursor.insertHtml(rendered.html)
        cursor.endEditBlock()
        highlight.colour_rendered(self.document(), frame, message, self.theme, self.options)

    # -- streaming ----------------------------------------------------------------------

    @Slot(object)
    def _on_message_added(self, message: ChatMessage) -> None:
        self.flush()
        if not self._frames:
            self.document().clear()  # drop the empty-conversation hint
        at_bottom = self._at_bottom()
        self._append(message)
        if at_bottom or message.role == "user":
            self._scroll_to_bottom()

    @Slot(object)
    def _on_step_added(self, step: StepEvent) -> None:
        self._pending.append(step)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def flush(self) -> None:
        """Write the pending steps into the live reply; never drops any."""
        if not self._pending or self._live is None:
            self._pending.clear()
            return
        steps, self._pending = self._pending, []
        at_bottom = self._at_bottom()
        self._write_steps(self._live.lastCursorPosition(), self._live_id, steps)
        if at_bottom:
            self._scroll_to_bottom()

    @Slot(object)
    def _on_reply_finished(self, message: ChatMessage) -> None:
        self.flush()
        frame = self._frames.get(message.id)
        self._live = None
        if frame is None:
            return
        at_bottom = self._at_bottom()
        self.rebuild_message(message, frame)
        if at_bottom:
            self._scroll_to_bottom()

    def rebuild_message(self, message: ChatMessage, frame: QTextFrame) -> None:
        """Re-render one finished reply in place (its header shows the final status)."""
        header = self.document().findBlock(frame.firstPosition() - 1)
        cursor = QTextCursor(header)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        write_header(cursor, message, self.theme)
        self._render_finished(message, frame)

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    # -- interaction --------------------------------------------------------------------

    def token_at(self, point: QPoint) -> tuple[int, int, Source] | None:
        """(message id, step index, source) of the token under a viewport point."""
        offset = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        pos = self.document().documentLayout().hitTest(point + offset, Qt.HitTestAccuracy.ExactHit)
        if pos < 0:
            return None
        return self.token_at_position(pos)

    def token_at_position(self, pos: int) -> tuple[int, int, Source] | None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(pos + 1)
        fmt = cursor.charFormat()  # the format of the character before the cursor
        source = source_of(fmt)
        if not fmt.hasProperty(STEP) or source is None:
            return None
        return int(fmt.property(MESSAGE_ID)), int(fmt.property(STEP)), source

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            found = self.token_at(self.viewport().mapFrom(self, e.pos()))
            message = self.model.message(found[0]) if found else None
            step = (
                next((s for s in message.steps if s.index == found[1]), None) if message and found else None
            )
            if found and step is not None:
                QToolTip.showText(e.globalPos(), step_tooltip(step, found[2]), self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def loadResource(self, kind: int, url: QUrl | str) -> object:
        """Nothing a reply names is ever loaded: a remote image would tell its server that the
        reply was read, and a local path could be a device that never ends.
        """
        return None

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        action = parse(url.toString())
        if action is not None and action[0] == COPY:
            url = QUrl(f"copy:msg:{action[1]}")
        elif action is not None:
            self.action_requested.emit(*action)
            return
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)  # only on a click, and in the system browser
            return
        parts = url.toString().split(":")
        if len(parts) < 3 or parts[0] != "copy":
            return
        message = self.model.message(int(parts[2]))
        if message is None:
            return
        text = message.content
        if parts[1] == "code" and len(parts) == 4:
            rendered = self._rendered.get((message.id, self.theme.name)) or render(
                text, self.theme, message.id
            )
            text = rendered.code_blocks[int(parts[3])]
        QGuiApplication.clipboard().setText(text)
        self.copied.emit("code" if parts[1] == "code" else "message")

    def leaveEvent(self, e: QEvent) -> None:
        QToolTip.hideText()  # a token's tooltip must not outlive the mouse over the text
        super().leaveEvent(e)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._update_column()

    def _update_column(self) -> None:
        margin = max(8, (self.viewport().width() - MAX_COLUMN) // 2)
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if int(fmt.leftMargin()) != margin:
            fmt.setLeftMargin(margin)
            fmt.setRightMargin(margin)
            root.setFrameFormat(fmt)
