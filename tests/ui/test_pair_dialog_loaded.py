"""The pair dialog starts from what is loaded, Enter accepts it, and sampling alone never reloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.ui.preferences import PairChoice
from desktop.ui.window import MainWindow
from tests.ggufs import write_vocab_gguf
from tests.qtfakes import FakeLoader

TOKENS = ["<unk>", "<s>", "</s>", "a", "b", "ab", *(f"w{i}" for i in range(60))]


@pytest.fixture
def tiny_loaded(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> MainWindow:
    """The window as `tandem --pair tiny` leaves it: settings say "default", tiny is loaded."""
    verifier = write_vocab_gguf(tmp_path / "v.gguf", TOKENS)
    draft = write_vocab_gguf(tmp_path / "d.gguf", TOKENS)
    monkeypatch.setattr(PairChoice, "files", lambda self: (str(verifier), str(draft)))
    monkeypatch.setattr(
        "desktop.models.listing.list_pairs",
        lambda: [type("P", (), {"name": n, "title": n, "installed": True})() for n in ("default", "tiny")],
    )
    assert window.prefs.choice.pair == "default"
    with qtbot.waitSignal(window.controller.session.pair_loaded, timeout=5000):
        window.load(PairChoice(pair="tiny"))
    return window


def open_dialog(qtbot: QtBot, window: MainWindow):  # type: ignore[no-untyped-def]
    window.open_pair_dialog()
    dialog = window.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.load_button.isEnabled, timeout=5000)  # the vocabularies were checked
    return dialog


def test_the_dialog_shows_the_loaded_pair(qtbot: QtBot, tiny_loaded: MainWindow) -> None:
    dialog = open_dialog(qtbot, tiny_loaded)
    assert dialog.use_installed.isChecked()
    assert dialog.pair_combo.currentData() == "tiny"


def test_enter_accepts_the_dialog(qtbot: QtBot, tiny_loaded: MainWindow) -> None:
    dialog = open_dialog(qtbot, tiny_loaded)
    dialog.temperature.setFocus()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)


def test_changing_only_sampling_applies_without_a_reload(
    qtbot: QtBot, tiny_loaded: MainWindow, loader: FakeLoader
) -> None:
    loads = len(loader.loads)
    dialog = open_dialog(qtbot, tiny_loaded)
    dialog.pair_combo.setCurrentIndex(dialog.pair_combo.findData("tiny"))  # what is loaded
    qtbot.waitUntil(dialog.load_button.isEnabled, timeout=5000)
    dialog.temperature.setValue(1.3)
    dialog.accept()
    c = tiny_loaded.controller
    assert c.session.generation.sampling.temperature == pytest.approx(1.3)
    assert len(loader.loads) == loads  # both models stay loaded
    assert c.session.pair is not None and c.session.pair.label == "tiny"
