"""The Model library window: models found in other apps' folders (used in place), unusable files
with their reason, Tandem's own models deletable after a question, other apps' never; folders
added and removed are saved and searched."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.models.library import LibraryModel
from desktop.models.paths import models_dir
from desktop.ui.library.dialog import LibraryDialog
from desktop.ui.library.model_library import ModelLibrary
from desktop.ui.settings import Settings
from tests.models.gguf_fakes import (
    LM_STUDIO_VERIFIER,
    OLLAMA_DRAFT,
    Spec,
    build_home,
    tokens,
    write_gguf,
)

pytest.importorskip("gguf")
MINE = "me/Mine-GGUF/mine-Q4_K_M.gguf"


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """A home with LM Studio, Ollama, Jan, GPT4All and the caches (HOME and XDG_CACHE_HOME set)."""
    home, store = tmp_path / "home", tmp_path / "store"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    verifier = write_gguf(store / "verifier.gguf", Spec(params=60000))
    draft = write_gguf(store / "draft.gguf", Spec(params=20000))
    return build_home(home, verifier, draft, store, tmp_path / "extra")


def open_library(qtbot: QtBot, tmp_path: Path) -> LibraryDialog:
    models = ModelLibrary(Settings(tmp_path / "settings.ini"))
    dialog = LibraryDialog(models)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(models.changed, timeout=30000):
        dialog.show_page(dialog.installed)
    return dialog


def names(dialog: LibraryDialog) -> set[tuple[str, str]]:
    return {(r.source.value, r.name) for r in dialog.installed.rows() if isinstance(r, LibraryModel)}


def test_found_models_are_listed_and_only_tandems_can_be_deleted(
    qtbot: QtBot, tmp_path: Path, fake_home: dict[str, set[str]]
) -> None:
    mine = write_gguf(models_dir() / MINE, Spec(vocab=tokens(500), params=5000))
    mine.with_name(mine.name + ".sha256").write_text("{}")
    dialog = open_library(qtbot, tmp_path)
    view = dialog.installed
    expected = {(source, name) for source, found in fake_home.items() for name in found}
    expected -= {("added folder", "nested/added.gguf")}  # not added yet
    assert names(dialog) == expected | {("Tandem", MINE)}
    tree_text = [view.tree.topLevelItem(2).child(i).text(6) for i in range(2)]  # type: ignore[union-attr]
    assert any("Not usable: not a GGUF file" in t for t in tree_text)
    assert any("Not usable: broken link" in t for t in tree_text)

    revealed: list[Path] = []
    view.reveal = revealed.append
    asked: list[str] = []
    view.confirm = lambda _title, text: asked.append(text) is None
    lm = next(r for r in view.rows() if r.name == LM_STUDIO_VERIFIER)
    assert view.select(lm.path) and not view.delete.isEnabled()
    assert "never deleted" in view.delete.toolTip()
    view.show_folder.click()
    assert revealed == [lm.path.parent]
    view.delete.click()  # disabled: nothing asked
    assert asked == [] and lm.target.is_file()

    assert view.select(mine) and view.delete.isEnabled()
    with qtbot.waitSignal(dialog.models.changed, timeout=30000):
        view.delete.click()
    assert len(asked) == 1 and MINE in asked[0]
    assert not mine.exists() and not mine.with_name(mine.name + ".sha256").exists()
    assert not (models_dir() / "me").exists()  # the emptied folders went too
    assert ("Tandem", MINE) not in names(dialog) and names(dialog) == expected
    assert view.status.text().startswith(f"Deleted {MINE}.")
    assert all(Path(p).exists() for p in (tmp_path / "store").iterdir())  # other apps' files stay


def test_added_folders_are_saved_searched_and_kept_when_missing(
    qtbot: QtBot, tmp_path: Path, fake_home: dict[str, set[str]]
) -> None:
    dialog = open_library(qtbot, tmp_path)
    box = dialog.installed.folders
    extra, gone = tmp_path / "extra", tmp_path / "gone"
    for folder in (extra, gone):
        box.pick = lambda folder=folder: folder  # type: ignore[misc]
        with qtbot.waitSignal(dialog.models.changed, timeout=30000):
            box.add.click()
    assert ("added folder", "nested/added.gguf") in names(dialog)
    assert Settings(tmp_path / "settings.ini").model_folders() == (extra, gone)
    shown = [box.list.item(i).text() for i in range(box.list.count())]  # type: ignore[union-attr]
    assert shown == [str(extra), f"{gone}   (not found: kept in the list)"]
    assert "LM Studio" in box.searched.text() and "Ollama" in box.searched.text()

    box.list.setCurrentRow(0)
    with qtbot.waitSignal(dialog.models.changed, timeout=30000):
        box.remove.click()
    assert ("added folder", "nested/added.gguf") not in names(dialog)
    assert Settings(tmp_path / "settings.ini").model_folders() == (gone,)
    assert (extra / "nested" / "added.gguf").is_file()  # removing a folder deletes nothing
    assert ("Ollama", OLLAMA_DRAFT) in names(dialog)


def test_the_models_menu_opens_the_library_and_feeds_the_pair_dialog(qtbot: QtBot, window) -> None:  # type: ignore[no-untyped-def]
    menu = window.library
    assert menu.open_action.shortcut().toString() == "Ctrl+Shift+M"
    models = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Models")
    assert "Model library…" in [a.text() for a in models.actions()]
    with qtbot.waitSignal(menu.models.changed, timeout=30000):
        menu.open_action.trigger()
    assert menu.dialog is not None and menu.dialog.isVisible()
    assert menu.dialog.tabs.currentWidget() is menu.dialog.installed
    window.open_pair_dialog()
    dialog = window.dialog
    assert dialog is not None and dialog.drafts.isVisibleTo(dialog)
    menu.dialog.shut_down()


def test_opening_the_library_again_finds_what_another_app_added(
    qtbot: QtBot, tmp_path: Path, fake_home: dict[str, set[str]]
) -> None:
    dialog = open_library(qtbot, tmp_path)
    gpt4all = tmp_path / "home" / ".local/share/nomic.ai/GPT4All"
    write_gguf(gpt4all / "New-Model-Q4_0.gguf", Spec(vocab=tokens(400), params=2000))
    dialog.hide()
    with qtbot.waitSignal(dialog.models.changed, timeout=30000):
        dialog.show_page(dialog.installed)
    assert ("GPT4All", "New-Model-Q4_0.gguf") in names(dialog)
