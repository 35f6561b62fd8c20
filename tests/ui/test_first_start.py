"""With no models installed the window explains, and fetches a pair with progress."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.qt.controller import ChatController
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FakeLoader, ok_checker


def test_first_start_fetches_and_loads_the_pair(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fetched: list[str] = []

    def fetcher(name, progress):  # type: ignore[no-untyped-def]
        for done in (0, 50, 100):
            progress("verifier", done, 100)
        fetched.append(name)
        return Path("v.gguf"), Path("d.gguf")

    loader = FakeLoader()
    store = Store(":memory:")
    c = ChatController(store, PairWorker(loader=loader, checker=ok_checker, fetcher=fetcher))
    window = MainWindow(c, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    window.show()
    window.show_first_start(True)
    try:
        assert window.stack.currentWidget() is window.first_start
        assert not window.composer.send.isEnabled()
        monkeypatch.setattr("desktop.ui.preferences.PairChoice.files", lambda self: ("v.gguf", "d.gguf"))
        with qtbot.waitSignal(c.session.pair_loaded, timeout=5000):
            window.first_start.tiny_button.click()
        assert fetched == ["tiny"]
        assert "verifier" in window.first_start.status.text()
        assert window.stack.currentWidget() is window.chat
        assert window.composer.send.isEnabled()
    finally:
        c.shutdown()
        store.close()
