"""Colouring replies by step: runs for streaming text, and alignment for rendered Markdown."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument, QTextFrame

from desktop.engine.events import Source, StepEvent
from desktop.store.records import ChatMessage
from desktop.ui.formats import ViewOptions, rejected_text, token_format
from desktop.ui.markdown import align
from desktop.ui.theme import Theme


def runs(
    steps: Sequence[StepEvent], theme: Theme, options: ViewOptions, message_id: int
) -> Iterator[tuple[str, QTextCharFormat]]:
    """(text, format) runs: one per source within a step, rejected text after its step."""
    for step in steps:
        text, source = "", Source.VERIFIER
        for token in step.pieces:
            if token.source is not source and text:
                yield text, token_format(theme, options, message_id, step.index, source, step.drafter)
                text = ""
            source = token.source
            text += token.text
        if text:
            yield text, token_format(theme, options, message_id, step.index, source, step.drafter)
        if options.show_rejected and step.rejected_text:
            yield (
                rejected_text(step.rejected_text),
                token_format(theme, options, message_id, step.index, Source.REJECTED),
            )


def _frame_chars(doc: QTextDocument, frame: QTextFrame) -> tuple[list[str], list[int]]:
    """The rendered characters of a frame with their document positions; links are left out
    (they are the window's, not the model's), and blocks are joined by a newline at -1.
    """
    chars: list[str] = []
    positions: list[int] = []
    block = doc.findBlock(frame.firstPosition())
    end = frame.lastPosition()
    while block.isValid() and block.position() <= end:
        if chars:
            chars.append("\n")
            positions.append(-1)
        for it in block:  # type: ignore[attr-defined]  # PySide6 makes QTextBlock iterable
            fragment = it.fragment()
            if not fragment.isValid() or fragment.charFormat().isAnchor():
                continue
            start = fragment.position()
            for i, c in enumerate(fragment.text()):
                chars.append(c)
                positions.append(start + i)
        block = block.next()
    return chars, positions


def colour_rendered(
    doc: QTextDocument, frame: QTextFrame, message: ChatMessage, theme: Theme, options: ViewOptions
) -> None:
    """Give each rendered character the format of the raw character it came from."""
    owner: list[tuple[int, Source]] = []  # per raw character: (step index, source)
    step_end: list[tuple[int, StepEvent]] = []  # raw offset where each step ends
    for step in message.steps:
        for token in step.pieces:
            owner.extend([(step.index, token.source)] * len(token.text))
        step_end.append((len(owner), step))
    chars, positions = _frame_chars(doc, frame)
    mapping = align(chars, message.content)
    spans: list[tuple[int, int, tuple[int, Source]]] = []
    last_pos_of_raw: dict[int, int] = {}
    for raw, pos in zip(mapping, positions, strict=True):
        if raw < 0 or pos < 0 or raw >= len(owner):
            continue
        last_pos_of_raw[raw] = pos
        key = owner[raw]
        if spans and spans[-1][2] == key and spans[-1][1] == pos:
            spans[-1] = (spans[-1][0], pos + 1, key)
        else:
            spans.append((pos, pos + 1, key))
    drafter = {step.index: step.drafter for step in message.steps}
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for start, stop, (index, source) in spans:
        cursor.setPosition(start)
        cursor.setPosition(stop, QTextCursor.MoveMode.KeepAnchor)
        fmt = token_format(theme, options, message.id, index, source, drafter.get(index, ""))
        cursor.mergeCharFormat(fmt)
    if options.show_rejected:
        _insert_rejected(cursor, step_end, last_pos_of_raw, theme, options, message.id)
    cursor.endEditBlock()


def _insert_rejected(
    cursor: QTextCursor,
    step_end: list[tuple[int, StepEvent]],
    last_pos_of_raw: dict[int, int],
    theme: Theme,
    options: ViewOptions,
    message_id: int,
) -> None:
    """Put each step's rejected draft text right after the step's last rendered character."""
    inserts: list[tuple[int, StepEvent]] = []
    for end, step in step_end:
        if not step.rejected_text:
            continue
        pos = next((last_pos_of_raw[r] for r in range(end - 1, -1, -1) if r in last_pos_of_raw), None)
        if pos is not None:
            inserts.append((pos + 1, step))
    for pos, step in sorted(inserts, key=lambda x: x[0], reverse=True):
        cursor.setPosition(pos)
        cursor.insertText(
            rejected_text(step.rejected_text),
            token_format(theme, options, message_id, step.index, Source.REJECTED),
        )
