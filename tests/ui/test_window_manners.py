"""Small manners of the window: tooltips go away, focus is visible and stays in the composer,
the conversation list opens only when asked, renaming shows its text, an empty search says so,
and the app opens on the last conversation."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QToolTip
from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import DONE
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, FakeLoader, Gate, ok_checker


def chat(window: MainWindow, qtbot: QtBot, text: str) -> None:
    with qtbot.waitSignal(window.controller.chat.reply_finished, timeout=10000):
        window.controller.chat.send(text)


def test_tooltips_go_when_the_mouse_leaves_and_on_new_chat(qtbot: QtBot, window: MainWindow) -> None:
    QToolTip.showText(window.chat.mapToGlobal(QPoint(20, 20)), "step 3", window.chat)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    QGuiApplication.sendEvent(window.chat, QEvent(QEvent.Type.Leave))
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)
    QToolTip.showText(window.chat.mapToGlobal(QPoint(20, 20)), "step 3", window.chat)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    window.new_conversation()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2000)


def test_send_shows_a_focus_ring(qtbot: QtBot, window: MainWindow) -> None:
    send = window.composer.send
    window.controller.session.generation = GenerationConfig(max_tokens=4)
    window.composer.edit.setPlainText("x")  # Send is enabled with text to send
    window.composer.edit.setFocus()
    qtbot.waitUntil(window.composer.edit.hasFocus)
    plain = send.grab().toImage()
    send.setFocus()
    qtbot.waitUntil(send.hasFocus)
    assert send.grab().toImage() != plain


def test_focus_stays_in_the_composer_after_stop(qtbot: QtBot, tmp_path: Path) -> None:
    gate = Gate(at=30)
    store = Store(":memory:")
    c = ChatController(store, PairWorker(loader=FakeLoader(gate=gate), checker=ok_checker))
    window = MainWindow(c, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    window.show()
    try:
        with qtbot.waitSignal(c.session.pair_loaded, timeout=5000):
            c.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        c.session.generation = GenerationConfig(max_tokens=200, draft=DraftConfig(draft_max=2))
        c.chat.send("go")
        qtbot.waitUntil(gate.reached.is_set, timeout=5000)
        window.composer.stop.setFocus()
        with qtbot.waitSignal(c.chat.reply_finished, timeout=5000):
            qtbot.mouseClick(window.composer.stop, Qt.MouseButton.LeftButton)
            gate.release.set()
        qtbot.waitUntil(lambda: c.session.state is UiState.IDLE)
        assert window.composer.edit.hasFocus()
        assert not window.topbar.pair_button.hasFocus()
    finally:
        gate.release.set()
        c.shutdown()
        store.close()


def test_the_list_opens_a_conversation_on_click_or_enter_only(qtbot: QtBot, window: MainWindow) -> None:
    window.controller.session.generation = GenerationConfig(max_tokens=4)
    chat(window, qtbot, "first")
    window.new_conversation()
    chat(window, qtbot, "second")
    opened = window.controller.chat.conversation.conversation_id
    lst = window.sidebar.list
    lst.setFocus()  # tabbing into the list
    lst.setCurrentRow(1)  # arrows move the current row
    assert window.controller.chat.conversation.conversation_id == opened
    qtbot.keyClick(lst, Qt.Key.Key_Return)
    assert window.controller.chat.conversation.conversation_id != opened


def test_the_rename_editor_has_room_for_its_text(qtbot: QtBot, window: MainWindow) -> None:
    window.controller.session.generation = GenerationConfig(max_tokens=4)
    chat(window, qtbot, "a title to rename")
    window.sidebar.rename_current()
    editor = window.sidebar.list.findChild(QLineEdit)
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    margins = editor.textMargins()
    room = editor.contentsRect().height() - margins.top() - margins.bottom()
    assert room >= editor.fontMetrics().height()


def test_an_empty_search_says_no_results(qtbot: QtBot, window: MainWindow) -> None:
    window.controller.session.generation = GenerationConfig(max_tokens=4)
    chat(window, qtbot, "hello")
    with qtbot.waitSignal(window.sidebar.search_changed, timeout=2000):
        window.sidebar.search.setText("zebra")
    assert window.sidebar.list.count() == 0
    assert window.sidebar.empty.isVisible() and "No results" in window.sidebar.empty.text()
    with qtbot.waitSignal(window.sidebar.search_changed, timeout=2000):
        window.sidebar.search.setText("")
    assert not window.sidebar.empty.isVisible()


def test_the_app_opens_the_last_conversation(qtbot: QtBot, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    older = store.create("older")
    store.add_message(older.id, "user", "one", DONE)
    newer = store.create("newer")
    store.add_message(newer.id, "user", "two", DONE)
    c = ChatController(store, PairWorker(loader=FakeLoader(), checker=ok_checker))
    window = MainWindow(c, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    try:
        window.open_latest()
        assert c.chat.conversation.conversation_id == newer.id
        assert window.sidebar.current_id() == newer.id
    finally:
        c.shutdown()
        store.close()
