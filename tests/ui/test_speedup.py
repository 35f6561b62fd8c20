"""The speed-up against the verifier alone: arithmetic, wording, and the stats strip's label."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.engine.config import Mode
from desktop.engine.events import GenerationStats
from desktop.ui import speedup
from desktop.ui.stats_strip import StatsStrip
from desktop.ui.theme import DARK, LIGHT


def stats(tokens: int, seconds: float) -> GenerationStats:
    return GenerationStats(steps=max(1, tokens // 3), tokens=tokens, verify_s=seconds)


def test_the_ratio_is_reply_speed_over_verifier_alone_speed() -> None:
    measured = speedup.measure(stats(39, 2.0), baseline_tps=25.0)  # 19.5 tok/s
    assert measured is not None
    assert measured.ratio == pytest.approx(0.78)
    assert measured.verdict is speedup.Verdict.SLOWER
    assert speedup.measure(stats(39, 2.0), baseline_tps=0.0) is None  # not measured: no ratio
    assert speedup.measure(GenerationStats(), baseline_tps=25.0) is None  # no step yet


@pytest.mark.parametrize(
    ("tps", "verdict"),
    [
        (24.0, speedup.Verdict.SLOWER),
        (24.3, speedup.Verdict.EVEN),
        (25.7, speedup.Verdict.EVEN),
        (25.8, speedup.Verdict.FASTER),
    ],
)
def test_the_verdict_has_a_small_dead_band_around_one(tps: float, verdict: speedup.Verdict) -> None:
    assert speedup.Speedup(tps, 25.0).verdict is verdict  # 0.96, 0.972, 1.028, 1.032


def test_the_words_suggest_fastest_mode_only_where_it_helps() -> None:
    slow = speedup.Speedup(19.5, 25.0)
    assert speedup.words(slow, Mode.SPECULATIVE) == "slower, try Fastest mode"
    assert speedup.words(slow, Mode.FASTEST) == "slower"
    assert speedup.words(speedup.Speedup(25.0, 25.0), Mode.SPECULATIVE) == "about even"
    assert speedup.words(speedup.Speedup(40.0, 25.0), Mode.FASTEST) == "faster"


def test_a_short_reply_gets_no_verdict() -> None:
    short = speedup.measure(stats(12, 1.0), baseline_tps=25.0)  # the first steps' warm-up decides it
    assert short is not None and short.verdict is speedup.Verdict.EARLY
    assert speedup.words(short, Mode.SPECULATIVE) == "too few tokens to tell"
    assert "Fastest mode" not in speedup.explain(short, Mode.SPECULATIVE)


def test_the_tooltip_says_how_it_was_measured() -> None:
    text = speedup.explain(speedup.Speedup(19.5, 25.0), Mode.SPECULATIVE)
    assert "19.5 tokens/s" in text and "25.0 tokens/s" in text and "0.78×" in text
    assert "40.0 ms" in text  # one verifier token at 25 tok/s
    assert "measured when the pair loaded" in text and "Fastest mode" in text


def test_the_strip_shows_and_colours_the_speedup(qtbot: QtBot) -> None:
    strip = StatsStrip()
    qtbot.addWidget(strip)
    strip.show()
    label = strip.numbers["speedup"]
    strip.show_stats(stats(39, 2.0))
    assert "no baseline" in label.text()  # nothing to compare against, and it says so
    strip.show_stats(stats(39, 2.0), 25.0, Mode.SPECULATIVE)
    assert label.isVisible()
    assert "0.78×" in label.text() and "vs verifier alone" in label.text()
    # Until the reply's own batches show whether the machine runs at its measured pace, a slow
    # figure is not blamed on the drafting.
    assert "try Fastest mode" not in label.text() and "too early to tell" in label.text()
    strip.set_drift(1.0)
    assert "try Fastest mode" in label.text() and LIGHT.rejected in label.text()
    assert "measured when the pair loaded" in label.toolTip()
    strip.show_stats(stats(60, 2.0), 25.0, Mode.FASTEST)
    assert "1.20×" in label.text() and "faster" in label.text() and LIGHT.good in label.text()
    strip.set_theme(DARK)  # the colours follow the theme
    assert DARK.good in label.text()
    strip.clear()
    assert not label.isVisible()
