"""Preferences survive a restart through the QSettings adapter."""

from __future__ import annotations

from pathlib import Path

from desktop.engine.config import DraftConfig, DraftPolicy, GenerationConfig, Mode, SamplingConfig
from desktop.ui.formats import ViewOptions
from desktop.ui.preferences import PairChoice, Preferences
from desktop.ui.settings import Settings, default_preferences


def test_preferences_round_trip(tmp_path: Path) -> None:
    prefs = Preferences(
        PairChoice(
            pair=None, verifier="/m/v.gguf", draft="/m/d.gguf", use_draft=False, n_ctx=2048, n_threads=3
        ),
        GenerationConfig(
            max_tokens=77,
            sampling=SamplingConfig(temperature=0.3, top_k=7, top_p=0.8, min_p=0.1, seed=42),
            draft=DraftConfig(
                draft_max=6, p_min=0.5, policy=DraftPolicy.ADAPTIVE, mode=Mode.FASTEST, ngram=True
            ),
        ),
        ViewOptions(highlight=False, show_rejected=True),
        "dark",
    )
    Settings(tmp_path / "s.ini").save(prefs)
    assert Settings(tmp_path / "s.ini").load() == prefs


def test_a_fresh_install_gets_the_defaults(tmp_path: Path) -> None:
    assert Settings(tmp_path / "none.ini").load() == default_preferences()
    assert default_preferences().choice.pair == "default"

    draft = default_preferences().generation.draft
    assert draft.mode is Mode.SPECULATIVE and not draft.ngram  # the app is for watching steps


def test_an_unknown_mode_falls_back_to_the_default(tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    raw = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    raw.setValue("drafting/mode", "warp speed")
    raw.setValue("drafting/ngram", "true")
    raw.sync()
    draft = Settings(tmp_path / "s.ini").load().generation.draft
    assert draft.mode is Mode.SPECULATIVE and draft.ngram
