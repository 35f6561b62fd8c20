"""A message sent while the models load (or the machine is measured) waits, says so, and goes."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.pair import LoadProgressCallback, ModelPair, PairConfig
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, FakeLoader, ok_checker


class SlowLoader:
    """The fake pair, loaded only once `release` is set (a long llama.cpp load)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.inner = FakeLoader()

    def __call__(self, cfg: PairConfig, progress: LoadProgressCallback, cancel: threading.Event) -> ModelPair:
        self.release.wait(10)
        return self.inner(cfg, progress, cancel)


def test_enter_while_loading_queues_the_message_and_sends_it_when_ready(qtbot: QtBot, tmp_path: Path) -> None:
    loader = SlowLoader()
    store = Store(":memory:")
    c = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
    window = MainWindow(c, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    window.show()
    try:
        c.session.generation = GenerationConfig(max_tokens=10, draft=DraftConfig(draft_max=2))
        c.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        assert c.session.state is UiState.LOADING
        window.composer.edit.setFocus()
        qtbot.keyClicks(window.composer.edit, "hello")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
        hint = window.composer.hint
        assert hint.isVisible() and hint.text().startswith("Will send when the models are ready")
        assert window.composer.edit.toPlainText() == "hello"  # not swallowed
        assert window.composer.send.isEnabled()  # the button says the same as Enter
        with qtbot.waitSignal(c.chat.reply_finished, timeout=10000):
            loader.release.set()
        user = c.chat.conversation.messages()[0]
        assert user.role == "user" and user.content == "hello"
        assert not hint.isVisible() and window.composer.edit.toPlainText() == ""
    finally:
        loader.release.set()
        c.shutdown()
        store.close()
