"""Qt tests run offscreen with data in tmp_path and scripted fake pairs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from tests.qtfakes import FAKE_CONFIG, FakeLoader, ok_checker

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real user folder."""
    path = tmp_path / "data"
    monkeypatch.setenv("TANDEM_DATA_DIR", str(path))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))  # calibrations, header reads
    return path


@pytest.fixture
def loader() -> FakeLoader:
    return FakeLoader(diverge_at=frozenset({40, 47, 53}))


@pytest.fixture
def controller(qtbot: QtBot, tmp_path: Path, loader: FakeLoader) -> Iterator[ChatController]:
    """A controller with a loaded fake pair."""
    store = Store(tmp_path / "c.sqlite3")
    ctl = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
    with qtbot.waitSignal(ctl.session.pair_loaded, timeout=5000):
        ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    yield ctl
    ctl.shutdown()
    store.close()
