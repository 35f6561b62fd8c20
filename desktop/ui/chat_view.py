"""The message view: a projection of the conversation model into one QTextDocument.

A streaming reply is rendered as Markdown as it grows: steps wait in a pending list, and a
single-shot timer hands them to the reply's writer, which redraws only the reply's last blocks
(see `desktop.ui.chat.reply_writer`); the view follows only if the user was at the bottom. A
reply that finishes keeps what streamed, and one loaded finished is drawn by the same writer
in one go, so neither reflows. Every token's
format carries its message, step and source, which is what tooltips and tests read back.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFocusEvent,
    QHelpEvent,
    QMouseEvent,
    QResizeEvent,
    QTextCursor,
    QTextFrame,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QTextBrowser, QToolTip, QWidget

from desktop.engine.events import Source, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.store.records import STREAMING, ChatMessage
from desktop.ui.chat.actions import parse, write_header
from desktop.ui.chat.code_blocks import CopyButtons
from desktop.ui.chat.reply_writer import ReplyWriter
from desktop.ui.formats import MESSAGE_ID, STEP, ViewOptions, plain_format, source_of
from desktop.ui.highlight import Style
from desktop.ui.theme import LIGHT, Theme
from desktop.ui.tooltips import step_tooltip

FLUSH_MS = 50  # at most 20 re-renders of the live block a second however fast steps arrive
MAX_FLUSH_MS = 1000
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
        self.viewport().setMouseTracking(True)  # hovering shows the Copy buttons
        self.setAccessibleName("Conversation")
        self.model = model
        self.theme: Theme = LIGHT
        self.options = ViewOptions()
        self._frames: dict[int, QTextFrame] = {}
        self._live: ReplyWriter | None = None
        self._pending: list[StepEvent] = []
        self._hover = QPoint(-1, -1)  # the mouse in the viewport, for the Copy buttons
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self.anchorClicked.connect(self._on_anchor)
        self.copy_buttons = CopyButtons(self, self.message_at, self._message_markdown)
        self.copy_buttons.copied.connect(self.copied)
        self.verticalScrollBar().valueChanged.connect(self._follow_hover)
        self.cursorPositionChanged.connect(self._follow_cursor)
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
        self.copy_buttons.hide()
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
            self._live = ReplyWriter(frame, Style(message.id, t, self.options))
            self._flush_timer.setInterval(FLUSH_MS)
            self._live.add(message.steps)
            self._live.render()
        else:
            self._render_finished(message, frame)

    def _render_finished(self, message: ChatMessage, frame: QTextFrame) -> None:
        writer = ReplyWriter(frame, Style(message.id, self.theme, self.options))
        writer.add(message.steps)
        writer.render(message.content)

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
        """Render the pending steps into the live reply; never drops any."""
        if not self._pending or self._live is None:
            self._pending.clear()
            return
        steps, self._pending = self._pending, []
        at_bottom = self._at_bottom()
        self._live.add(steps)
        started = time.perf_counter()
        self._live.render()
        # A long last block (a big code block) costs more to redraw: redraw it less often, so
        # drawing never takes more than about a third of the time.
        cost_ms = int((time.perf_counter() - started) * 1000)
        self._flush_timer.setInterval(min(MAX_FLUSH_MS, max(FLUSH_MS, 3 * cost_ms)))
        if at_bottom:
            self._scroll_to_bottom()

    @Slot(object)
    def _on_reply_finished(self, message: ChatMessage) -> None:
        self.flush()
        frame = self._frames.get(message.id)
        live, self._live = self._live, None
        if frame is None:
            return
        at_bottom = self._at_bottom()
        self._rewrite_header(message, frame)
        if live is not None and live.style.message_id == message.id:
            live.render(
                message.content
            )  # what streamed is already the finished render: only its open blocks are redrawn
        else:
            self._render_finished(message, frame)
        if at_bottom:
            self._scroll_to_bottom()

    def _rewrite_header(self, message: ChatMessage, frame: QTextFrame) -> None:
        """The header shows the final status and the finished reply's actions."""
        header = self.document().findBlock(frame.firstPosition() - 1)
        cursor = QTextCursor(header)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        write_header(cursor, message, self.theme)

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
        if action is not None:
            self.action_requested.emit(*action)
        elif url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)  # only on a click, and in the system browser

    # -- copy buttons -------------------------------------------------------------------

    def message_at(self, pos: int) -> tuple[int, QTextFrame] | None:
        """(id, frame) of the message whose header or body holds document position `pos`."""
        doc = self.document()
        for mid, frame in self._frames.items():
            header = doc.findBlock(frame.firstPosition() - 1).position()
            if header <= pos <= frame.lastPosition():
                return mid, frame
        return None

    def _message_markdown(self, mid: int) -> str | None:
        message = self.model.message(mid)
        return message.content if message else None

    def position_at(self, point: QPoint) -> int:
        """The document position nearest a viewport point, or -1 outside the text."""
        offset = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        return self.document().documentLayout().hitTest(point + offset, Qt.HitTestAccuracy.FuzzyHit)

    @Slot()
    def _follow_hover(self) -> None:
        if self.viewport().rect().contains(self._hover):
            self.copy_buttons.show_at(self.position_at(self._hover))
        else:
            self.copy_buttons.refresh()  # shown for the keyboard: they scroll with their message

    @Slot()
    def _follow_cursor(self) -> None:
        if self.hasFocus():  # the keyboard moved through the links: its message gets the buttons
            self.copy_buttons.show_at(self.textCursor().position())

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        super().mouseMoveEvent(e)
        self._hover = e.position().toPoint()
        self._follow_hover()

    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        last = next(reversed(self._frames.values()), None)
        if last is not None:  # the keyboard starts at the newest message's buttons
            self.copy_buttons.show_at(last.firstPosition())

    def leaveEvent(self, e: QEvent) -> None:
        QToolTip.hideText()  # a token's tooltip must not outlive the mouse over the text
        self._hover = QPoint(-1, -1)
        if not self.hasFocus():
            self.copy_buttons.hide()
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
