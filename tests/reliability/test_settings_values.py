"""settings.ini values out of range are reset to their defaults, and the reset is reported.

Before: max_tokens=-5, temperature=nan, top_p=7 or draft_max=9999 reached the engine as they were.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.ui.settings import Settings, default_preferences

BAD = {
    "generation/max_tokens": "-5",
    "sampling/temperature": "nan",
    "sampling/top_p": "7",
    "sampling/top_k": "-1",
    "sampling/min_p": "inf",
    "sampling/seed": "lucky",
    "drafting/draft_max": "9999",
    "drafting/p_min": "-0.5",
    "drafting/mode": "warp",
    "pair/n_ctx": "12",
    "pair/n_threads": "0",
    "pair/verifier_gpu_layers": "many",
    "view/theme": "neon",
}


def write(path: Path, values: dict[str, str]) -> None:
    raw = QSettings(str(path), QSettings.Format.IniFormat)
    for key, value in values.items():
        raw.setValue(key, value)
    raw.sync()


def test_every_bad_value_is_reset_and_named(tmp_path: Path) -> None:
    write(tmp_path / "s.ini", BAD)
    settings = Settings(tmp_path / "s.ini")
    prefs = settings.load()
    default = default_preferences()
    assert prefs.generation == default.generation
    assert prefs.choice == default.choice
    assert prefs.theme == default.theme
    assert sorted(entry.split(" = ")[0] for entry in settings.reset) == sorted(BAD)
    notice = settings.reset_notice()
    assert "generation/max_tokens = -5" in notice and "sampling/temperature = nan" in notice


@pytest.mark.parametrize(
    ("key", "value", "read"),
    [
        ("generation/max_tokens", "-5", lambda p: p.generation.max_tokens),
        ("sampling/temperature", "nan", lambda p: p.generation.sampling.temperature),
        ("sampling/top_p", "7", lambda p: p.generation.sampling.top_p),
        ("drafting/draft_max", "9999", lambda p: p.generation.draft.draft_max),
    ],
)
def test_one_bad_value_leaves_the_good_ones(tmp_path: Path, key: str, value: str, read: object) -> None:
    write(
        tmp_path / "s.ini", {key: value, "sampling/top_k": "7", "generation/max_tokens": "77"} | {key: value}
    )
    settings = Settings(tmp_path / "s.ini")
    prefs = settings.load()
    got = read(prefs)  # type: ignore[operator]
    assert not (isinstance(got, float) and math.isnan(got))
    assert got == read(default_preferences())  # type: ignore[operator]
    assert prefs.generation.sampling.top_k == 7
    if key != "generation/max_tokens":
        assert prefs.generation.max_tokens == 77
    assert settings.reset == [f"{key} = {value}"]


def test_good_values_reset_nothing(tmp_path: Path) -> None:
    write(
        tmp_path / "s.ini",
        {"generation/max_tokens": "32768", "sampling/temperature": "0", "drafting/draft_max": "0"},
    )
    settings = Settings(tmp_path / "s.ini")
    prefs = settings.load()
    assert prefs.generation.max_tokens == 32768 and prefs.generation.draft.draft_max == 0
    assert settings.reset == [] and settings.reset_notice() == ""
