"""Window tests: offscreen, data in tmp_path, a fake pair unless a test asks for the real one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.worker import PairWorker, llama_checker
from desktop.store.db import Store
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, FakeLoader

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TANDEM_THEME", "light")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real user folder."""
    path = tmp_path / "data"
    monkeypatch.setenv("TANDEM_DATA_DIR", str(path))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))  # calibrations, header reads
    # The model library searches other apps' folders: an empty home, not the real one.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "OLLAMA_MODELS", "JAN_DATA_FOLDER"):
        monkeypatch.delenv(name, raising=False)
    for name in ("LLAMA_CACHE", "HF_HOME", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture(scope="session")
def tiny_paths() -> tuple[Path, Path]:
    """The installed tiny pair, found before each test's data folder replaces the real one."""
    from desktop.models.listing import pair_paths

    return pair_paths("tiny")


@pytest.fixture
def loader() -> FakeLoader:
    return FakeLoader(diverge_at=frozenset({40, 47, 53, 61}))


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, loader: FakeLoader) -> Iterator[MainWindow]:
    """The real window on a fake pair (the compatibility check is llama.cpp's own)."""
    store = Store(tmp_path / "c.sqlite3")
    controller = ChatController(store, PairWorker(loader=loader, checker=llama_checker))
    settings = Settings(tmp_path / "settings.ini")
    win = MainWindow(controller, settings, default_preferences(), gpu_offload=False)
    qtbot.addWidget(win)
    win.resize(1100, 760)
    win.show()
    with qtbot.waitSignal(controller.session.pair_loaded, timeout=5000):
        controller.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    yield win
    controller.shutdown()
    store.close()
