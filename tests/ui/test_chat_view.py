"""The message view: formats at positions follow the steps' sources, live and after Markdown."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from pytestqt.qtbot import QtBot

from desktop.engine.events import Source, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.store.records import STREAMING, ChatMessage
from desktop.ui.chat_view import ChatView
from desktop.ui.formats import MESSAGE_ID, STEP, ViewOptions, source_of
from desktop.ui.theme import LIGHT
from desktop.ui.tooltips import step_tooltip
from tests.steps import text_step

A, V = Source.ACCEPTED, Source.VERIFIER


def steps_of(text: str, size: int = 4) -> tuple[StepEvent, ...]:
    """Cut `text` into steps of `size` characters: all accepted but the last, the verifier's."""
    out = []
    for n, i in enumerate(range(0, len(text), size)):
        chunk = text[i : i + size]
        out.append(text_step(n, tuple(chunk[:-1]), chunk[-1], ("x",)))
    return tuple(out)


def frame_formats(view: ChatView, mid: int) -> list[tuple[str, int, Source | None, QColor]]:
    """(character, step, source, background) for every highlighted character of a message."""
    frame = view._frames[mid]
    doc = view.document()
    out = []
    for pos in range(frame.firstPosition(), frame.lastPosition()):
        cursor = QTextCursor(doc)
        cursor.setPosition(pos + 1)
        fmt = cursor.charFormat()
        if doc.characterAt(pos) in "\u2029\ufdd0\ufdd1":  # paragraph and frame marks, not text
            continue
        if fmt.hasProperty(STEP) and int(fmt.property(MESSAGE_ID)) == mid:
            out.append(
                (
                    doc.characterAt(pos),
                    int(fmt.property(STEP)),
                    source_of(fmt),
                    fmt.background().color(),
                )
            )
    return out


def expected(steps: tuple[StepEvent, ...]) -> list[tuple[str, int, Source]]:
    return [(c, s.index, p.source) for s in steps for p in s.pieces for c in p.text]


def test_streamed_steps_get_the_format_of_their_source(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [])
    model.add(ChatMessage(5, "assistant", "", status=STREAMING))
    steps = steps_of("hello world, streaming")
    for step in steps:
        model.add_step(step)
    qtbot.waitUntil(lambda: not view._pending, timeout=2000)  # the throttled flush ran
    got = frame_formats(view, 5)
    assert [(c, s, src) for c, s, src, _ in got] == expected(steps)
    for _, step, source, background in got:
        pair = LIGHT.accepted if source is A else LIGHT.verifier
        assert background == QColor(pair[step % 2])  # alternating shades mark step boundaries


def test_a_finished_reply_keeps_its_highlights_on_rendered_markdown(qtbot: QtBot) -> None:
    raw = "# Title\n\nSome **bold** text and `code`.\n\n```python\ndef f(x):\n    return x\n```\n"
    steps = steps_of(raw, 3)
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [ChatMessage(9, "assistant", raw, steps)])
    got = frame_formats(view, 9)
    rendered = "".join(c for c, *_ in got)
    assert "Title" in rendered and "bold" in rendered and "def f(x):" in rendered
    assert "**" not in rendered and "```" not in rendered  # Markdown syntax is not shown
    # In order, every highlighted character carries the step and source of a raw character
    # equal to it, and every letter of the reply (but the fence's language) is highlighted.
    flat = expected(steps)
    r = 0
    for item in got:
        while r < len(flat) and flat[r] != item[:3]:
            r += 1
        assert r < len(flat), f"{item[:3]} is not where the steps put it"
        r += 1
    letters = sum(c.isalnum() for c, *_ in got)
    assert letters == sum(c.isalnum() for c in raw)


def test_rejected_tokens_show_struck_through_when_asked(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    steps = steps_of("abcdefgh")
    model.load(1, "t", [ChatMessage(3, "assistant", "abcdefgh", steps)])
    assert "x" not in view.document().toPlainText()
    view.set_options(ViewOptions(highlight=True, show_rejected=True))
    rejected = [(c, s) for c, s, src, _ in frame_formats(view, 3) if src is Source.REJECTED]
    assert rejected == [("x", 0), ("x", 1)]
    frame = view._frames[3]
    text = view.document().toPlainText()
    assert "abcdxefghx" in text.replace("\n", "")
    cursor = QTextCursor(view.document())
    cursor.setPosition(frame.firstPosition() + 5)  # just after the first rejected "x"
    assert cursor.charFormat().fontStrikeOut()


def test_turning_highlights_off_keeps_the_step_data_but_no_colours(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [ChatMessage(3, "assistant", "abcdefgh", steps_of("abcdefgh"))])
    view.set_options(ViewOptions(highlight=False))
    got = frame_formats(view, 3)
    assert len(got) == 8
    assert all(bg.alpha() == 0 or bg == QColor("black") for *_, bg in got)


def test_the_tooltip_says_what_the_step_did() -> None:
    step = text_step(6, ("a",), "b", ("c", "d"), verifier_probs=(0.9, 0.2, 0.7))
    text = step_tooltip(step, V)
    assert "Step 7" in text
    assert "Accepted 1 of 3" in text
    assert "instead of <code>c</code>" in text
    assert "0.90" in text and "0.20" in text and "0.70" in text


def test_the_tooltip_says_who_drafted() -> None:
    by_model = text_step(0, ("a",), "b", drafter="draft model")
    by_lookup = replace(by_model, drafter="n-gram")
    assert "The draft model proposed 1" in step_tooltip(by_model, A)
    assert "Prompt lookup (n-gram) proposed 1" in step_tooltip(by_lookup, A)
    assert "Prompt lookup" not in step_tooltip(by_model, A)


def test_prompt_lookup_tokens_are_underlined_dotted(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [])
    model.add(ChatMessage(5, "assistant", "", status=STREAMING))
    model_step, lookup_step = steps_of("abcdefgh")
    model.add_step(replace(model_step, drafter="draft model"))
    model.add_step(replace(lookup_step, drafter="n-gram"))
    qtbot.waitUntil(lambda: not view._pending, timeout=2000)
    dotted = QTextCharFormat.UnderlineStyle.DotLine
    frame = view._frames[5]
    styles = {}
    for pos in range(frame.firstPosition(), frame.lastPosition()):
        cursor = QTextCursor(view.document())
        cursor.setPosition(pos + 1)
        fmt = cursor.charFormat()
        if fmt.hasProperty(STEP):
            styles[view.document().characterAt(pos)] = fmt.underlineStyle() == dotted
    # Step 1 (the draft model) has no underline; in step 2 only the accepted "efg" have one.
    assert styles == dict(zip("abcdefgh", [False] * 4 + [True] * 3 + [False], strict=True))


def test_hovering_finds_the_step_under_the_mouse(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    model.load(1, "t", [ChatMessage(3, "assistant", "abcdefgh", steps_of("abcdefgh"))])
    frame = view._frames[3]
    cursor = QTextCursor(view.document())
    cursor.setPosition(frame.firstPosition() + 5)  # between "f" and "g": step 1
    rect = view.cursorRect(cursor)
    found = view.token_at(rect.center() + QPoint(2, 0))
    assert found == (3, 1, A)
    assert view.token_at(QPoint(590, 390)) is None  # empty space has no step
