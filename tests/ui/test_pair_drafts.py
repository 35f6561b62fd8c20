"""The model-pair dialog offers, for the chosen verifier, only compatible drafts (best first) and
lists every other file greyed with the reason it cannot draft."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.engine.config import GenerationConfig
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import PairChoice
from desktop.ui.settings import Settings
from tests.models.gguf_fakes import HF_CLONE, LM_STUDIO_VERIFIER, OLLAMA_DRAFT, Spec, build_home, write_gguf

pytest.importorskip("gguf")


@pytest.fixture
def models(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModelLibrary]:
    home, store = tmp_path / "home", tmp_path / "store"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    verifier = write_gguf(store / "verifier.gguf", Spec(params=60000))
    draft = write_gguf(store / "draft.gguf", Spec(params=20000))
    build_home(home, verifier, draft, store, tmp_path / "extra")
    library = ModelLibrary(Settings(tmp_path / "settings.ini"))
    with qtbot.waitSignal(library.changed, timeout=30000):
        library.rescan()
    yield library
    library.close()


def open_dialog(qtbot: QtBot, models: ModelLibrary) -> PairDialog:
    dialog = PairDialog(PairChoice(pair=None), GenerationConfig(), [], False, library=models)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_only_compatible_drafts_are_selectable_and_every_other_file_says_why(
    qtbot: QtBot, models: ModelLibrary
) -> None:
    dialog = open_dialog(qtbot, models)
    library = models.library
    assert library is not None
    verifier = next(m for m in library.models if m.name == LM_STUDIO_VERIFIER)
    combo = dialog.verifier_combo
    index = next(i for i in range(combo.count()) if combo.itemData(i) == verifier)
    combo.activated.emit(index)  # as a click on the entry does
    assert dialog.verifier.path() == str(verifier.path)

    listed = dialog.drafts.list
    items = [listed.item(i) for i in range(listed.count())]
    selectable = [i for i in items if i and i.flags() & Qt.ItemFlag.ItemIsSelectable]
    others = [i for i in items if i and not i.flags() & Qt.ItemFlag.ItemIsSelectable]
    assert [m.name for m in dialog.drafts.selectable()] == [HF_CLONE, OLLAMA_DRAFT]  # best first
    assert [i.text().split("  ")[0] for i in selectable] == ["✓ smollm2-clone.gguf", f"✓ {OLLAMA_DRAFT}"]
    refused = len(library.models) - 3  # everything but the verifier and its two drafts
    assert len(others) == refused + len(library.skipped)
    for item in others:
        assert item.text().startswith("✗ ")
        assert "\n      cannot draft: " in item.text() or "\n      not usable: " in item.text()
        assert not item.flags() & Qt.ItemFlag.ItemIsEnabled  # greyed
        assert item.toolTip()
    why = {i.text().split("  ")[0]: i.text().split("\n      ")[1] for i in others}
    assert why["✗ other-vocab"].startswith("cannot draft: vocabulary sizes within 128")
    assert why["✗ unsloth_Qwen3-Next_qwen3next.gguf"].startswith("cannot draft: qwen3next keeps a recurrent")
    assert why["✗ hf.co/bartowski/Qwen3-GGUF:Q4_K_M"].startswith(
        "cannot draft: a different architecture: the verifier is llama, this file qwen3"
    )
    assert why["✗ notes.gguf"] == "not usable: not a GGUF file (starts with b'hell')"

    dialog.drafts._clicked(others[0])  # a click on a refused file changes nothing
    assert dialog.draft.path() == ""
    with qtbot.waitSignal(dialog.check_requested, timeout=5000) as asked:
        dialog.drafts._clicked(selectable[0])
    assert asked.args == [str(verifier.path), str(selectable[0].data(Qt.ItemDataRole.UserRole).path)]
    assert selectable[0].isSelected()


def test_a_file_anywhere_still_works_and_the_installed_pair_mode_disables_the_list(
    qtbot: QtBot, models: ModelLibrary, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, models)
    elsewhere = write_gguf(tmp_path / "elsewhere" / "big.gguf", Spec(params=90000))
    dialog.verifier.set_path(str(elsewhere))
    assert dialog.verifier_combo.currentIndex() == -1  # not a file the library found
    names = [m.name for m in dialog.drafts.selectable()]
    assert names[:2] == [HF_CLONE, OLLAMA_DRAFT] and LM_STUDIO_VERIFIER in names
    dialog.use_installed.setChecked(True)
    assert not dialog.drafts.isEnabled() and not dialog.verifier_combo.isEnabled()
