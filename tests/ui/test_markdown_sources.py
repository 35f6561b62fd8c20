"""Every rendered character of a reply carries the source of the token that wrote it, even
when tokens straddle Markdown syntax (emphasis markers, fences, bullets, table pipes, links)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.engine.events import Source, StepEvent
from desktop.qt.conversation import ConversationModel
from desktop.store.records import ChatMessage
from desktop.ui.chat_view import ChatView
from tests.steps import pieces_step
from tests.ui.test_chat_view import frame_formats

A, V = Source.ACCEPTED, Source.VERIFIER
# Tokens as a model might cut them: across `**`, backticks, a fence, bullets and pipes.
TOKENS = [
    "Some ",
    "**bo",
    "ld**",
    " and `co",
    "de` and a [li",
    "nk](https://example.com/a/very/long/path/that/goes/on/and/on/for/a/while) after\n\n",
    "- it",
    "em one\n- item",
    " two\n\n",
    "| a |",
    " b |\n|---|---|\n| c",
    " | d |\n\n",
    "```py",
    "thon\ndef f",
    "(x):\n    re",
    "turn x\n``",
    "`\n\nEnd",
    ".",
]
RAW = "".join(TOKENS)
# What the reader sees of the reply, in order: each piece is found in the raw text from where
# the last one ended, so its raw offsets are known without asking the renderer.
VISIBLE = [
    "Some ",
    "bold",
    " and ",
    "code",
    " and a ",
    "link",
    " after",
    "item one",
    "item two",
    "a",
    "b",
    "c",
    "d",
    "python",
    "def f(x):",
    "    return x",
    "End.",
]


def steps() -> tuple[StepEvent, ...]:
    """One token per step, the sources alternating, so a wrong owner shows."""
    return tuple(pieces_step(i, ((t, A if i % 2 else V),)) for i, t in enumerate(TOKENS))


def owner(offset: int) -> tuple[int, Source]:
    at = 0
    for i, t in enumerate(TOKENS):
        if offset < at + len(t):
            return i, (A if i % 2 else V)
        at += len(t)
    raise IndexError(offset)


def expected() -> list[tuple[str, int, Source]]:
    out = []
    cursor = 0
    for piece in VISIBLE:
        start = RAW.index(piece, cursor)
        out.extend((c, *owner(start + k)) for k, c in enumerate(piece))
        cursor = start + len(piece)
    return out


def test_each_rendered_character_has_its_tokens_source(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [ChatMessage(4, "assistant", RAW, steps())])
    got = [(c, step, source) for c, step, source, _ in frame_formats(view, 4)]
    assert got == expected()


def test_each_coloured_character_is_the_raw_character_it_came_from(qtbot: QtBot) -> None:
    # One character a step, so a character's step is its raw offset: spacing Qt would fold,
    # escapes, entities and table cells must not shift what follows them.
    raw = (
        "Two  spaces and **bold**  here,\nsoft  break, `a  b`, &amp; and \\* end.\n\n"
        "- x  y\n\n| a  b | c |\n|---|---|\n| d |  e  |\n\n# Head  line #\n"
    )
    steps = tuple(pieces_step(i, ((c, A),)) for i, c in enumerate(raw))
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    model.load(1, "t", [ChatMessage(2, "assistant", raw, steps)])
    got = frame_formats(view, 2)
    assert [(c, raw[step]) for c, step, *_ in got if raw[step] != c] == []
    assert sum(c.isalnum() for c, *_ in got) == sum(c.isalnum() for c in raw) - len("amp")
