"""Copy is a real button: over a code block it copies exactly the code, over a message its
Markdown; it says "Copied", and the keyboard reaches it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from desktop.engine.events import Source
from desktop.qt.conversation import ConversationModel
from desktop.store.records import ChatMessage
from desktop.ui.chat.code_blocks import code_at
from desktop.ui.chat_view import ChatView
from tests.steps import pieces_step

CODE = 'def greet(name):\n    return f"hi {name} <&>"\n\n# the end'
REPLY = f"Try **this**:\n\n```python\n{CODE}\n```\n\nAnd `that`."


def shown(qtbot: QtBot) -> ChatView:
    model = ConversationModel()
    view = ChatView(model)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    steps = (pieces_step(0, ((REPLY[:30], Source.ACCEPTED), (REPLY[30:], Source.VERIFIER))),)
    model.load(1, "t", [ChatMessage(1, "user", "code?"), ChatMessage(2, "assistant", REPLY, steps)])
    return view


def point_in_code(view: ChatView) -> QPoint:
    text = view.document().toPlainText()
    cursor = QTextCursor(view.document())
    cursor.setPosition(text.index("return") + 2)
    return view.cursorRect(cursor).center()


def test_the_code_blocks_button_copies_exactly_its_code(qtbot: QtBot) -> None:
    view = shown(qtbot)
    QApplication.clipboard().clear()
    button = view.copy_buttons.code_button
    assert isinstance(button, QToolButton) and not button.isVisible()
    qtbot.mouseMove(view.viewport(), point_in_code(view))
    qtbot.waitUntil(button.isVisible, timeout=2000)
    assert button.text() == "Copy"
    with qtbot.waitSignal(view.copied) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == CODE
    assert blocker.args == ["code"]
    assert button.text() == "Copied"
    # The button sits on the code block, at its top right.
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.position_at(point_in_code(view)))
    found = code_at(cursor)
    assert found is not None
    block = view.document().documentLayout().frameBoundingRect(found[0]).toRect()
    block.translate(0, -view.verticalScrollBar().value())
    assert block.contains(button.geometry().center())
    assert button.geometry().right() > block.center().x()


def test_the_message_button_copies_the_replys_markdown(qtbot: QtBot) -> None:
    view = shown(qtbot)
    qtbot.mouseMove(view.viewport(), point_in_code(view))
    button = view.copy_buttons.message_button
    qtbot.waitUntil(button.isVisible, timeout=2000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == REPLY
    assert button.text() == "Copied"


def test_the_keyboard_reaches_the_copy_button(qtbot: QtBot) -> None:
    view = shown(qtbot)
    QApplication.clipboard().clear()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    button = view.copy_buttons.message_button
    assert button.isVisible()  # focus alone shows the last message's button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert QApplication.clipboard().text() == REPLY


def test_tab_moves_from_the_conversation_to_its_copy_button(qtbot: QtBot) -> None:
    view = shown(qtbot)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    button = view.copy_buttons.message_button
    for _ in range(10):  # past the header links (Edit, Delete) the view lets the focus go
        if button.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert button.hasFocus() and button.isVisible()
