"""A rejected line break is shown as a struck-through ↵, never as a real break in the reply."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from desktop.engine.events import Source
from desktop.qt.conversation import ConversationModel
from desktop.store.records import STREAMING, ChatMessage
from desktop.ui.chat_view import ChatView
from desktop.ui.formats import ViewOptions, rejected_text, source_of
from tests.steps import text_step

STEPS = (text_step(0, ("one",), " two", ("\n\n",)), text_step(1, (), " three", ("\n",)))


def rejected_chars(view: ChatView, mid: int) -> list[tuple[str, bool]]:
    frame = view._frames[mid]
    doc = view.document()
    out = []
    for pos in range(frame.firstPosition(), frame.lastPosition()):
        cursor = QTextCursor(doc)
        cursor.setPosition(pos + 1)
        fmt = cursor.charFormat()
        if source_of(fmt) is Source.REJECTED:
            out.append((doc.characterAt(pos), fmt.fontStrikeOut()))
    return out


def test_rejected_text_turns_breaks_into_arrows() -> None:
    assert rejected_text(("a\n", "\r\nb\t")) == "a↵↵b→"


def check(view: ChatView, mid: int) -> None:
    assert rejected_chars(view, mid) == [("↵", True), ("↵", True), ("↵", True)]
    frame = view._frames[mid]
    cursor = QTextCursor(view.document())
    cursor.setPosition(frame.firstPosition())
    cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
    text = cursor.selectedText().rstrip("\u2029 ")  # the frame's own last block end
    assert text == "one two↵↵ three↵"  # one paragraph: each arrow after its step, no break


def test_a_streaming_reply_shows_rejected_breaks_as_arrows(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.set_options(ViewOptions(highlight=True, show_rejected=True))
    model.load(1, "t", [ChatMessage(3, "assistant", "", STEPS, status=STREAMING)])
    check(view, 3)


def test_a_finished_reply_shows_rejected_breaks_as_arrows(qtbot: QtBot) -> None:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.set_options(ViewOptions(highlight=True, show_rejected=True))
    model.load(1, "t", [ChatMessage(3, "assistant", "one two three", STEPS)])
    check(view, 3)
