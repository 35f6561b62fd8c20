"""GPU layers default to "auto" in the window; the pair dialog says what auto chose and why."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.engine.config import GenerationConfig
from desktop.engine.offload import ALL_LAYERS, AUTO_GPU_LAYERS, ModelFootprint
from desktop.ui import offload_field
from desktop.ui.pair_dialog import PairDialog
from desktop.ui.preferences import PairChoice
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FakeLoader

GB = 1 << 30
FILES = PairChoice(pair=None, verifier="/m/verifier.gguf", draft="/m/draft.gguf")


def test_the_windows_default_load_request_asks_for_auto(
    qtbot: QtBot, window: MainWindow, loader: FakeLoader
) -> None:
    choice = replace(default_preferences().choice, pair=None, verifier="v.gguf", draft="d.gguf")
    with qtbot.waitSignal(window.controller.pair_loaded, timeout=5000):
        assert window.load(choice)
    cfg = loader.loads[-1]
    assert cfg.draft is not None
    assert cfg.verifier.n_gpu_layers == AUTO_GPU_LAYERS and cfg.draft.n_gpu_layers == AUTO_GPU_LAYERS


def test_settings_saved_before_auto_existed_move_to_auto(tmp_path: Path) -> None:
    raw = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    raw.setValue("pair/verifier_gpu_layers", 0)  # every old file holds the old default
    raw.setValue("pair/draft_gpu_layers", 7)
    raw.sync()
    choice = Settings(tmp_path / "s.ini").load().choice
    assert (choice.verifier_gpu_layers, choice.draft_gpu_layers) == (AUTO_GPU_LAYERS, 7)
    kept = replace(default_preferences(), choice=replace(choice, verifier_gpu_layers=0))
    Settings(tmp_path / "s.ini").save(kept)
    assert Settings(tmp_path / "s.ini").load().choice.verifier_gpu_layers == 0  # now it is the user's 0


def test_a_cpu_build_shows_auto_and_why_it_offloads_nothing(qtbot: QtBot) -> None:
    dialog = PairDialog(FILES, GenerationConfig(), [], gpu_offload=False)
    qtbot.addWidget(dialog)
    assert dialog.verifier_gpu.auto.isChecked() and dialog.verifier_gpu.value() == AUTO_GPU_LAYERS
    assert dialog.verifier_gpu.reason.text() == "Auto: 0 layers — this build has no GPU backend"
    assert dialog.draft_gpu.reason.text() == "Auto: 0 layers — this build has no GPU backend"
    assert dialog.verifier_gpu.count.value() == 0  # the count shows what auto chose
    choice = dialog.result_value().choice
    assert (choice.verifier_gpu_layers, choice.draft_gpu_layers) == (AUTO_GPU_LAYERS, AUTO_GPU_LAYERS)


@pytest.fixture
def eight_gb_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU build with 8 GB free (no GPU here: fake device memory and model headers)."""
    sizes = {FILES.verifier: ModelFootprint(29, 1_900_000_000), FILES.draft: ModelFootprint(24, 490_000_000)}
    monkeypatch.setattr(offload_field, "device_free_bytes", lambda: 8 * GB)
    monkeypatch.setattr(offload_field, "model_footprint", sizes.get)


@pytest.mark.usefixtures("eight_gb_gpu")
def test_a_gpu_build_shows_what_fits_and_the_user_can_override(qtbot: QtBot) -> None:
    dialog = PairDialog(FILES, GenerationConfig(), [], gpu_offload=True)
    qtbot.addWidget(dialog)
    assert dialog.verifier_gpu.reason.text() == "Auto: all 29 layers fit in 8 GB"
    assert dialog.draft_gpu.reason.text() == "Auto: all 24 layers fit in 6.2 GB"  # what the verifier leaves
    assert not dialog.verifier_gpu.count.isEnabled() and dialog.verifier_gpu.count.value() == ALL_LAYERS
    dialog.verifier_gpu.auto.setChecked(False)
    assert dialog.verifier_gpu.count.isEnabled() and dialog.verifier_gpu.count.value() == ALL_LAYERS
    dialog.verifier_gpu.count.setValue(12)
    assert dialog.verifier_gpu.reason.text() == "Set by you. Auto: all 29 layers fit in 8 GB."
    choice = dialog.result_value().choice
    assert (choice.verifier_gpu_layers, choice.draft_gpu_layers) == (12, AUTO_GPU_LAYERS)


@pytest.mark.usefixtures("eight_gb_gpu")
def test_a_count_set_before_opens_as_that_count(qtbot: QtBot) -> None:
    dialog = PairDialog(replace(FILES, verifier_gpu_layers=5), GenerationConfig(), [], gpu_offload=True)
    qtbot.addWidget(dialog)
    assert not dialog.verifier_gpu.auto.isChecked() and dialog.verifier_gpu.value() == 5


def test_model_footprint_reads_the_layer_count_from_the_gguf_header(tiny_paths: tuple[Path, Path]) -> None:
    verifier, _ = tiny_paths
    assert offload_field.model_footprint(str(verifier)) == ModelFootprint(30, verifier.stat().st_size)
    assert offload_field.model_footprint("/nope.gguf") is None
