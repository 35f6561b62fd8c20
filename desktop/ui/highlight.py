"""Colouring replies by the token that wrote each character.

`step_text` is the one place that reads the step record; the rest takes its (text, source)
pairs. A `SourceMap` knows which step and source wrote each raw character of a reply, and
`colour` gives each rendered character the format of the raw character that the renderer's
carrier (see `desktop.ui.markdown`) says it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument

from desktop.engine.events import Source, StepEvent
from desktop.ui.formats import ViewOptions, rejected_text, token_format
from desktop.ui.theme import Theme


@dataclass(frozen=True, slots=True)
class StepText:
    """What colouring needs of a step: its tokens as (text, source) pairs and what it threw away."""

    index: int
    tokens: tuple[tuple[str, Source], ...]
    rejected: tuple[str, ...] = ()
    drafter: str = ""


def step_text(step: StepEvent) -> StepText:
    """The one reader of the step record (so a change of record type changes only this)."""
    return StepText(
        step.index, tuple((p.text, p.source) for p in step.pieces), step.rejected_text, step.drafter
    )


@dataclass(frozen=True, slots=True)
class Style:
    """How a reply is drawn: its id (kept in every format), theme and view options."""

    message_id: int
    theme: Theme
    options: ViewOptions

    def token(self, step: StepText, source: Source) -> QTextCharFormat:
        fmt = token_format(self.theme, self.options, self.message_id, step.index, source, step.drafter)
        fmt.setToolTip("")  # drop the renderer's offset carrier
        return fmt


class SourceMap:
    """A reply's raw text and, per raw character, the step and source of the token that wrote it."""

    def __init__(self) -> None:
        self.text = ""
        self.steps: list[StepText] = []
        self.ends: list[int] = []  # raw offset where each step's text ends
        self.owner: list[tuple[int, Source]] = []  # per raw character: (position in steps, source)
        self.formats: dict[tuple[int, Source], QTextCharFormat] = {}  # kept across redraws

    def add(self, step: StepText) -> None:
        n = len(self.steps)
        self.steps.append(step)
        for text, source in step.tokens:
            self.text += text
            self.owner.extend([(n, source)] * len(text))
        self.ends.append(len(self.text))


def _carried(doc: QTextDocument, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(document position, length, raw offset) of each carried fragment in [start, end)."""
    block = doc.findBlock(start)
    while block.isValid() and block.position() < end:
        for it in block:  # type: ignore[attr-defined]  # PySide6 makes QTextBlock iterable
            fragment = it.fragment()
            pos = fragment.position()
            carrier = fragment.charFormat().toolTip() if fragment.isValid() else ""
            if carrier.isdigit() and start <= pos < end:
                yield pos, fragment.length(), int(carrier)
        block = block.next()


def colour(
    doc: QTextDocument, start: int, end: int, raw: tuple[int, int], smap: SourceMap, style: Style
) -> None:
    """Colour the rendered characters in [start, end) that show raw characters in `raw`
    ([first, last) offsets), and put each of those steps' rejected text after its last one."""
    spans: list[tuple[int, int, tuple[int, Source]]] = []
    last_pos_of_raw: dict[int, int] = {}
    owner = smap.owner
    for pos, length, offset in list(_carried(doc, start, end)):
        for i in range(max(0, -offset), min(length, len(owner) - offset)):
            last_pos_of_raw[offset + i] = pos + i
            key = owner[offset + i]
            if spans and spans[-1][2] == key and spans[-1][1] == pos + i:
                spans[-1] = (spans[-1][0], pos + i + 1, key)
            else:
                spans.append((pos + i, pos + i + 1, key))
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    plain = QTextCharFormat()
    plain.setToolTip("")  # the renderer's offset carriers have done their work
    cursor.mergeCharFormat(plain)
    formats = smap.formats
    for first, stop, key in spans:
        if key not in formats:
            formats[key] = style.token(smap.steps[key[0]], key[1])
        cursor.setPosition(first)
        cursor.setPosition(stop, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(formats[key])
    if style.options.show_rejected:
        _insert_rejected(cursor, raw, start, smap, last_pos_of_raw, style)
    cursor.endEditBlock()


def _insert_rejected(
    cursor: QTextCursor,
    raw: tuple[int, int],
    start: int,
    smap: SourceMap,
    last_pos_of_raw: dict[int, int],
    style: Style,
) -> None:
    """Put each step's rejected draft text right after the step's last rendered character."""
    inserts: list[tuple[int, StepText]] = []
    for end, step in zip(smap.ends, smap.steps, strict=True):
        if not step.rejected or not raw[0] < end <= raw[1]:
            continue
        shown = (last_pos_of_raw[r] + 1 for r in range(end - 1, raw[0] - 1, -1) if r in last_pos_of_raw)
        inserts.append((next(shown, start), step))
    for pos, step in sorted(inserts, key=lambda x: x[0], reverse=True):
        cursor.setPosition(pos)
        fmt = style.token(step, Source.REJECTED)
        families = cursor.charFormat().fontFamilies()
        if families:
            fmt.setFontFamilies(families)  # monospace in a code block
        cursor.insertText(rejected_text(step.rejected), fmt)
