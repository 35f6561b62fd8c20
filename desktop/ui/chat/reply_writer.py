"""Writes one reply into its frame as rendered Markdown, while it streams and once it is done.

Only the reply's last top-level blocks can still change (an open code fence, a paragraph that
may become bold, a list the next line continues), so each render removes and redraws those
alone, and earlier blocks stay as they were. A finished reply goes through the same steps
in one go, so it lays out exactly as it streamed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from PySide6.QtGui import (
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
)

from desktop.engine.events import StepEvent
from desktop.ui.chat.code_blocks import mark_code_tables
from desktop.ui.highlight import SourceMap, Style, colour, step_text
from desktop.ui.markdown import render_blocks

# Blocks that may still change: the last, and the one before it (a list the last line may yet
# continue: "3" after a list's code block ends the list, "3." a moment later continues it).
OPEN_BLOCKS = 2
_OPENING = re.compile(r"(?:\s*<(?!span|/)[^>]*>)+")


class ReplyWriter:
    """The rendered form of one reply in `frame`; `add` steps, then `render`."""

    def __init__(self, frame: QTextFrame, style: Style) -> None:
        self.frame = frame
        self.style = style
        self.source = SourceMap()
        self._tail_raw = 0  # raw offset where the blocks that may still change start
        self._tail_at = 0  # where they start in the frame (from its first position)

    def add(self, steps: Iterable[StepEvent]) -> None:
        for step in steps:
            self.source.add(step_text(step))

    def render(self, text: str | None = None) -> None:
        """Redraw the blocks that may still change; `text` replaces the steps' text (a stored reply)."""
        if text is not None:
            self.source.text = text
        doc = self.frame.document()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        start = self.frame.firstPosition() + self._tail_at
        cursor.setPosition(start)
        cursor.setPosition(self.frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        _reset_block(cursor)
        raw = self.source.text
        blocks = render_blocks(raw[self._tail_raw :], self.style.theme, self._tail_raw)
        for n, block in enumerate(blocks):
            if cursor.block().length() > 1:  # a block of its own, so removing it leaves the rest
                cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            first = cursor.position()
            if n == max(0, len(blocks) - OPEN_BLOCKS):
                self._tail_at, self._tail_raw = first - self.frame.firstPosition(), block.start
            _insert(cursor, block.html, self.frame)
            stop = blocks[n + 1].start if n + 1 < len(blocks) else len(raw)
            colour(doc, first, cursor.position(), (block.start, stop), self.source, self.style)
            cursor.setPosition(self.frame.lastPosition())
        cursor.endEditBlock()
        # Only now does the document know its new tables (it rebuilds its frames after an edit).
        codes = [code for block in blocks for code in block.code_blocks]
        mark_code_tables(self.frame, start, self.frame.lastPosition(), codes)


def _insert(cursor: QTextCursor, html: str, frame: QTextFrame) -> None:
    """Insert one block's HTML at an empty block, laid out as it would be in a whole document.

    Qt merges a fragment's first paragraph into the block at the cursor, keeping that block's
    format, and starts a list or table after it; the first gets its own format back, the
    second loses the empty block in front of it (but at the reply's very start).
    """
    first = cursor.position()
    cursor.insertHtml(html)
    block = cursor.document().findBlock(first)
    wanted = _first_block_format(html)
    if block.length() > 1 or wanted.hasProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth):
        QTextCursor(block).setBlockFormat(wanted)
    elif (
        first > frame.firstPosition()
        and block.next().position() < frame.lastPosition()
        and _follows_a_paragraph(block)
    ):
        QTextCursor(block).deletePreviousChar()


def _follows_a_paragraph(block: QTextBlock) -> bool:
    """Whether the block before `block` is a plain block of the same frame (not a table's end)."""
    before = block.previous()
    return (
        before.isValid()
        and block.document().characterAt(block.position() - 1) == "\u2029"
        and QTextCursor(before).currentFrame() == QTextCursor(block).currentFrame()
    )


@lru_cache(maxsize=64)
def _opening_format(tags: str) -> QTextBlockFormat:
    scratch = QTextDocument()
    scratch.setHtml(tags + "x")
    return scratch.begin().blockFormat()


def _first_block_format(html: str) -> QTextBlockFormat:
    """The format Qt gives the first block of `html` in a document of its own (which depends
    only on the tags that open it)."""
    tags = _OPENING.match(html)
    return _opening_format(tags.group(0) if tags else "")


def _reset_block(cursor: QTextCursor) -> None:
    """Leave the block at `cursor` plain: out of any list, with no heading or quote format.

    Removing a table that began a block leaves the cursor at the end of the block before it,
    which keeps its own format (the next insertion starts a new block after it).
    """
    block = cursor.block()
    if block.length() > 1:
        return
    if block.textList() is not None:
        block.textList().remove(block)
    cursor.setBlockFormat(QTextBlockFormat())
    cursor.setBlockCharFormat(QTextCharFormat())
    cursor.setCharFormat(QTextCharFormat())
