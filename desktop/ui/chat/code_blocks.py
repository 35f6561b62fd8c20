"""Copy buttons over the chat view: one for the message under the mouse, one for its code block.

They are real `QToolButton`s on the viewport, shown at the top right of the message (its
header line) and of the code block under the mouse, or under the keyboard's cursor, and in
the tab order right after the view. Each code block's first line carries the block's code in a
format property, so the button copies exactly the code, not what the highlighter made of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QPoint, QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QTextBlockFormat, QTextCursor, QTextFormat, QTextFrame, QTextTable
from PySide6.QtWidgets import QTextBrowser, QToolButton, QWidget

CODE_TEXT = QTextFormat.Property.UserProperty + 10
COPIED_MS = 1500  # how long a button says "Copied"


def mark_code_tables(frame: QTextFrame, first: int, last: int, codes: Sequence[str]) -> None:
    """Give each code block table in [first, last] the code it shows (the renderer's order)."""
    if not codes:
        return
    tables: list[QTextTable] = []
    block = frame.document().findBlock(first)
    while block.isValid() and block.position() <= last:
        table = QTextCursor(block).currentTable()
        shaded = table is not None and table.format().background().style() != Qt.BrushStyle.NoBrush
        if table is not None and shaded and table not in tables:  # only code blocks are shaded
            tables.append(table)
        block = block.next()
    for table, code in zip(tables, codes, strict=False):
        fmt = QTextBlockFormat()
        fmt.setProperty(CODE_TEXT, code)
        table.cellAt(0, 0).firstCursorPosition().mergeBlockFormat(fmt)  # no relayout of the table


def code_at(cursor: QTextCursor) -> tuple[QTextTable, str] | None:
    """The code block table at `cursor`, and its code."""
    table = cursor.currentTable()
    first = table.cellAt(0, 0).firstCursorPosition().blockFormat() if table is not None else None
    if table is None or first is None or not first.hasProperty(CODE_TEXT):
        return None
    return table, str(first.property(CODE_TEXT))


class CopyButtons(QObject):
    """The Copy buttons of a chat view; `show_at` a document position."""

    copied = Signal(str)  # "code" or "message"

    def __init__(
        self,
        view: QTextBrowser,
        message_at: Callable[[int], tuple[int, QTextFrame] | None],
        message_text: Callable[[int], str | None],
    ) -> None:
        super().__init__(view)
        self.view = view
        self._message_at = message_at
        self._message_text = message_text
        self.message_button = self._button("Copy this message as Markdown", self._copy_message)
        self.code_button = self._button("Copy this code block", self._copy_code)
        QWidget.setTabOrder(view, self.message_button)
        QWidget.setTabOrder(self.message_button, self.code_button)
        self._message_id = -1
        self._code = ""
        self._pos = -1  # the document position the buttons are shown for
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(COPIED_MS)
        self._reset.timeout.connect(self._say_copy)

    def _button(self, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self.view.viewport())
        button.setText("Copy")
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.hide()
        button.clicked.connect(slot)
        return button

    def show_at(self, pos: int) -> None:
        """Show the buttons of the message (and code block) at document position `pos`."""
        self._pos = pos
        found = self._message_at(pos) if pos >= 0 else None
        if found is None:
            self.hide()
            return
        self._message_id, frame = found
        doc = self.view.document()
        layout = doc.documentLayout()
        scroll = QPoint(self.view.horizontalScrollBar().value(), self.view.verticalScrollBar().value())
        body = layout.frameBoundingRect(frame).toRect().translated(-scroll)
        header = layout.blockBoundingRect(doc.findBlock(frame.firstPosition() - 1)).toRect()
        self._place(self.message_button, QRect(body.left(), header.top() - scroll.y(), body.width(), 0))
        cursor = QTextCursor(doc)
        cursor.setPosition(pos)
        code = code_at(cursor)
        if code is None:
            if not self.code_button.hasFocus():
                self.code_button.hide()
            return
        table, self._code = code
        self._place(self.code_button, layout.frameBoundingRect(table).toRect().translated(-scroll), 10)

    def refresh(self) -> None:
        """Place the shown buttons again (the view scrolled under them)."""
        if self.message_button.isVisible() or self.code_button.isVisible():
            self.show_at(self._pos)

    def _place(self, button: QToolButton, rect: QRect, inset: int = 0) -> None:
        button.adjustSize()
        button.move(rect.right() - button.width() - inset, rect.top() + inset)
        button.show()
        button.raise_()

    def hide(self) -> None:
        """Hide the buttons, but never one the keyboard is on."""
        for button in (self.message_button, self.code_button):
            if not button.hasFocus():
                button.hide()

    @Slot()
    def _copy_message(self) -> None:
        text = self._message_text(self._message_id)
        if text is not None:
            self._copy(self.message_button, text, "message")

    @Slot()
    def _copy_code(self) -> None:
        self._copy(self.code_button, self._code, "code")

    def _copy(self, button: QToolButton, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._say_copy()
        button.setText("Copied")
        self.refresh()  # the wider button keeps its right edge
        self._reset.start()
        self.copied.emit(what)

    @Slot()
    def _say_copy(self) -> None:
        for button in (self.message_button, self.code_button):
            button.setText("Copy")
        self.refresh()
