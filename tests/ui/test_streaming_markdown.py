"""A reply is rendered as Markdown while it streams, so finishing it does not reflow it."""

from __future__ import annotations

import random

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from desktop.engine.events import Source, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.store.records import DONE, STREAMING, ChatMessage
from desktop.ui.chat_view import ChatView
from desktop.ui.formats import ViewOptions
from tests.steps import pieces_step
from tests.ui.test_chat_view import frame_formats

A, V = Source.ACCEPTED, Source.VERIFIER
TOKENS = [
    "Here is **a fun",
    "ction**:\n\n- one\n- t",
    "wo\n\n```py",
    "thon\ndef add(a, b",
    "):\n    return a",
    " + b\n``",
    "`\n\n| x | y |\n|---|---|\n| 1",
    " | 2 |\n\nThat is all.",
]
CODE = "def add(a, b):\n    return a + b"


def steps(tokens: list[str]) -> tuple[StepEvent, ...]:
    return tuple(pieces_step(i, ((t, A if i % 2 else V),)) for i, t in enumerate(tokens))


def monospace(view: ChatView, mid: int) -> str:
    """The reply's characters drawn in a fixed-pitch font (its code), in order."""
    frame = view._frames[mid]
    doc = view.document()
    out = []
    for pos in range(frame.firstPosition(), frame.lastPosition()):
        cursor = QTextCursor(doc)
        cursor.setPosition(pos + 1)
        families = cursor.charFormat().fontFamilies() or []
        char = doc.characterAt(pos)
        if char not in "\u2029\ufdd0\ufdd1" and "monospace" in families:  # not block or frame marks
            out.append(char)
        elif char == "\u2029" and out and out[-1] != "\n":
            out.append("\n")
    return "".join(out).strip()


def height(view: ChatView, mid: int) -> float:
    return view.document().documentLayout().frameBoundingRect(view._frames[mid]).height()


def stream(qtbot: QtBot, view: ChatView, model: ConversationModel, tokens: list[str]) -> None:
    model.load(1, "t", [ChatMessage(1, "user", "add?")])
    model.add(ChatMessage(2, "assistant", "", status=STREAMING))
    for step in steps(tokens):
        model.add_step(step)
    qtbot.waitUntil(lambda: not view._pending, timeout=2000)


def test_code_streams_in_the_code_style(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.resize(700, 800)
    stream(qtbot, view, model, TOKENS[:5])  # the fence is open: "    return a" so far
    assert monospace(view, 2) == "def add(a, b):\n    return a"
    text = view.document().toPlainText()
    assert "**" not in text and "```" not in text  # the Markdown is drawn, not shown raw


def test_a_finished_reply_keeps_the_layout_it_streamed_with(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.resize(700, 800)
    stream(qtbot, view, model, TOKENS)
    streamed = (height(view, 2), monospace(view, 2))
    live_text = view.document().toPlainText()
    model.finish_reply(DONE, "stop", None)
    assert monospace(view, 2) == CODE == streamed[1]
    assert height(view, 2) == streamed[0]  # nothing moves when the reply ends
    done_text = view.document().toPlainText()
    assert done_text[done_text.index("Here is") :] == live_text[live_text.index("Here is") :]


def test_redrawing_after_every_character_ends_as_one_render_does(qtbot: QtBot) -> None:
    raw = "".join(TOKENS) + "\n\n> quoted\n\n---\n\n# Head\n\n1. first\n2. second\n"
    live = ChatView(ConversationModel())
    qtbot.addWidget(live)
    live.model.load(1, "t", [ChatMessage(1, "user", "add?")])
    live.model.add(ChatMessage(2, "assistant", "", status=STREAMING))
    for i, c in enumerate(raw):
        live.model.add_step(pieces_step(i, ((c, A if i % 3 else V),)))
        live.flush()  # every block boundary gets crossed by a redraw
    steps = live.model.messages()[-1].steps
    done = ChatView(ConversationModel())
    qtbot.addWidget(done)
    done.model.load(1, "t", [ChatMessage(1, "user", "add?"), ChatMessage(2, "assistant", raw, steps)])
    assert height(live, 2) == height(done, 2)
    assert monospace(live, 2) == monospace(done, 2) == CODE
    live_text, done_text = live.document().toPlainText(), done.document().toPlainText()
    assert live_text[live_text.index("Here is") :] == done_text[done_text.index("Here is") :]


DOCS = (
    "1. one\n2. two\n   ```js\n   let x = 1;\n   ```\n3. three\n\n* a\n  * nested **b**\n    * deeper `c`\n\n"
    "Para\nlazy line\n\n```\nunclosed code\nmore\n",
    "| h1 | h2 |\n|:--|--:|\n| `x|y` | **z** |\n| a \\| b | [l](u) |\n\nText\n===\n\nSub\n---\n"
    "> quote\n> ```py\n> def f(): pass\n> ```\n> - item\n\n***\n\n    indented code\n    line2\n\n"
    "end &copy; &amp; \\_x\\_ ~~s~~\n- [ ] task\n- item\n\n  second para\n\n- last\n\n"
    '```python\ns = """multi\nline"""\n```\n![img](http://x/y.png) <http://auto.link> hard  \nbreak\n',
)


@pytest.mark.parametrize("seed", range(6))
def test_any_cut_of_the_tokens_streams_to_the_finished_render(qtbot: QtBot, seed: int) -> None:
    """Random token cuts and redraw moments, rejected text shown or not: the streamed reply
    ends exactly as the finished one is drawn (text, formats and height)."""
    rng = random.Random(seed)
    raw = DOCS[seed % 2] + DOCS[(seed + 1) % 2]
    cuts = sorted(rng.sample(range(1, len(raw)), len(raw) // 4))
    tokens = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    rejected = ("zz",) if seed % 2 else ()
    steps = [pieces_step(i, ((t, A if i % 2 else V),), rejected=rejected) for i, t in enumerate(tokens)]
    views = []
    for _ in range(2):
        view = ChatView(ConversationModel())
        qtbot.addWidget(view)
        view.set_options(ViewOptions(True, show_rejected=bool(rejected)))
        view.resize(700, 600)
        view.show()
        views.append(view)
    live, done = views
    live.model.load(1, "t", [ChatMessage(1, "user", "q")])
    live.model.add(ChatMessage(2, "assistant", "", status=STREAMING))
    for step in steps:
        live.model.add_step(step)
        if rng.random() < 0.6:
            live.flush()
    live.flush()
    done.model.load(1, "t", [ChatMessage(1, "user", "q"), ChatMessage(2, "assistant", raw, tuple(steps))])
    assert [f[:3] for f in frame_formats(live, 2)] == [f[:3] for f in frame_formats(done, 2)]
    assert height(live, 2) == height(done, 2)
