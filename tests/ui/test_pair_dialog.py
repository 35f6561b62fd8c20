"""The model-pair dialog: the verdict comes before loading; an incompatible draft is refused."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig, Mode
from desktop.ui.pair_dialog import CPU_ONLY, PairDialog
from desktop.ui.preferences import PairChoice
from desktop.ui.window import MainWindow
from tests.ggufs import write_vocab_gguf

TOKENS = ["<unk>", "<s>", "</s>", "a", "b", "ab", *(f"w{i}" for i in range(60))]


def open_dialog(qtbot: QtBot, window: MainWindow) -> PairDialog:
    window.open_pair_dialog()
    dialog = window.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    return dialog


def choose(dialog: PairDialog, verifier: Path, draft: Path) -> None:
    dialog.use_files.setChecked(True)
    dialog.verifier.set_path(str(verifier))
    dialog.draft.set_path(str(draft))


def test_an_incompatible_draft_is_refused_with_the_reason(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, loader
) -> None:  # type: ignore[no-untyped-def]
    verifier = write_vocab_gguf(tmp_path / "verifier.gguf", TOKENS)
    renamed = list(TOKENS)
    renamed[10] = "not-the-same"
    draft = write_vocab_gguf(tmp_path / "draft.gguf", renamed)
    dialog = open_dialog(qtbot, window)
    loads = len(loader.loads)
    choose(dialog, verifier, draft)
    qtbot.waitUntil(lambda: "Incompatible" in dialog.verdict.text(), timeout=10000)
    assert "identical token text" in dialog.verdict.text()
    assert "token 10" in dialog.verdict.text()
    assert not dialog.load_button.isEnabled()
    dialog.load_button.click()
    assert dialog.isVisible() and len(loader.loads) == loads  # nothing was loaded

    dialog.no_draft.setChecked(True)  # plain decoding needs no verdict
    assert dialog.load_button.isEnabled()
    assert dialog.result_value().choice.use_draft is False


def test_a_compatible_pair_can_be_loaded(qtbot: QtBot, window: MainWindow, tmp_path: Path, loader) -> None:  # type: ignore[no-untyped-def]
    verifier = write_vocab_gguf(tmp_path / "verifier.gguf", TOKENS)
    draft = write_vocab_gguf(tmp_path / "draft.gguf", TOKENS)
    dialog = open_dialog(qtbot, window)
    choose(dialog, verifier, draft)
    qtbot.waitUntil(lambda: "Compatible" in dialog.verdict.text(), timeout=10000)
    assert dialog.load_button.isEnabled()
    dialog.temperature.setValue(0.0)
    dialog.draft_max.setValue(6)
    assert dialog.mode.currentData() is Mode.SPECULATIVE and not dialog.ngram.isChecked()
    dialog.mode.setCurrentIndex(dialog.mode.findData(Mode.FASTEST))
    dialog.ngram.setChecked(True)
    assert not dialog.suffix.isChecked()
    dialog.suffix.setChecked(True)
    with qtbot.waitSignal(window.controller.pair_loaded, timeout=5000):
        dialog.load_button.click()
    assert loader.loads[-1].verifier.path == str(verifier)
    assert loader.loads[-1].draft.path == str(draft)
    draft_cfg = window.controller.generation.draft
    assert (draft_cfg.draft_max, draft_cfg.mode, draft_cfg.ngram) == (6, Mode.FASTEST, True)
    assert window.controller.generation.sampling.greedy
    saved = window.settings.load()
    assert saved.choice.verifier == str(verifier)  # persisted
    assert saved.generation.draft.mode is Mode.FASTEST and saved.generation.draft.ngram
    assert draft_cfg.suffix and saved.generation.draft.suffix


def test_the_cpu_only_build_is_explained() -> None:
    dialog = PairDialog(PairChoice(pair=None), GenerationConfig(), [], gpu_offload=False)
    for row in (dialog.verifier_gpu, dialog.draft_gpu):
        assert not row.auto.isEnabled() and not row.count.isEnabled()
    texts = [w.text() for w in dialog.findChildren(type(dialog.verdict))]
    assert CPU_ONLY in texts
    dialog.deleteLater()


def test_a_missing_file_is_said_before_any_check() -> None:
    dialog = PairDialog(PairChoice(pair=None, verifier="/nope/v.gguf"), GenerationConfig(), [], True)
    assert "Choose the verifier" in dialog.verdict.text()
    assert not dialog.load_button.isEnabled()
    assert dialog.verifier_gpu.isEnabled()
    dialog.deleteLater()


def test_the_dialog_shows_the_saved_mode_and_lookup_choice() -> None:
    generation = GenerationConfig(draft=DraftConfig(mode=Mode.FASTEST, ngram=True))
    dialog = PairDialog(PairChoice(pair=None), generation, [], gpu_offload=False)
    assert dialog.mode.currentData() is Mode.FASTEST and dialog.ngram.isChecked()
    assert dialog.mode.currentText() == "Fastest (draft only when it pays on this machine)"
    dialog.mode.setCurrentIndex(dialog.mode.findData(Mode.SPECULATIVE))
    dialog.ngram.setChecked(False)
    draft = dialog.result_value().generation.draft
    assert (draft.mode, draft.ngram) == (Mode.SPECULATIVE, False)
    dialog.deleteLater()
