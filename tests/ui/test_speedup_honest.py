"""The speed-up figure says what it measured, blames a busy machine rather than the drafting,
refuses calibrations that cannot be right, and can be measured again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig, Mode
from desktop.engine.costmodel import CALIBRATION_TRIES, Costs
from desktop.engine.events import GenerationStats
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest, PairInfo
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.ui import speedup
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.stats_strip import StatsStrip
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, CalibratedPair, FakeLoader, ok_checker

PLAUSIBLE = Costs((0.02, 0.03, 0.04, 0.05, 0.06), 0.01)


def test_a_busy_machine_is_named_instead_of_the_drafting() -> None:
    busy = speedup.Speedup(10.0, 50.0, tokens=100, drift=1.8)  # 0.2× against the old baseline
    assert busy.verdict is speedup.Verdict.SLOWER
    said = speedup.words(busy, Mode.SPECULATIVE)
    assert said == "the machine looks busy (steps take 1.8× longer than when measured)"
    assert "Fastest" not in said
    tip = speedup.explain(busy, Mode.SPECULATIVE)
    assert "busier now" in tip and "0.36×" in tip  # 10 tok/s against 50 / 1.8
    steady = speedup.Speedup(10.0, 50.0, tokens=100, drift=1.2)
    assert speedup.words(steady, Mode.SPECULATIVE) == "slower, try Fastest mode"


def test_the_tooltip_describes_what_the_code_measures() -> None:
    tip = speedup.explain(speedup.Speedup(30.0, 25.0), Mode.SPECULATIVE)
    assert "median" not in tip  # the calibration keeps the fastest try, not the median
    assert f"each timed {CALIBRATION_TRIES} times" in tip and "the fastest try of each kept" in tip


def test_the_strip_offers_measure_again_next_to_the_figure(qtbot: QtBot) -> None:
    strip = StatsStrip()
    qtbot.addWidget(strip)
    strip.resize(1400, 40)
    strip.show()
    assert not strip.measure.isVisible()  # nothing measured yet, nothing to measure again
    strip.show_stats(GenerationStats(steps=10, tokens=40, verify_s=1.0), 25.0)
    assert strip.measure.isVisible() and "Measure again" in strip.measure.text()
    with qtbot.waitSignal(strip.measure_requested, timeout=1000):
        strip.measure.linkActivated.emit("measure")
    with qtbot.waitSignal(strip.measure_requested, timeout=1000):
        strip.measure_action.trigger()  # the context menu's way, for a folded strip
    strip.set_drift(1.8)
    assert "machine looks busy" in strip.numbers["speedup"].text()
    strip.rebase(20.0)  # measured again: the new baseline is today's pace
    assert "busy" not in strip.numbers["speedup"].text()
    assert "2.00×" in strip.numbers["speedup"].text()


def test_an_implausible_calibration_shows_no_figure(qtbot: QtBot) -> None:
    worker = PairWorker(loader=FakeLoader(costs=Costs((4.0, 4.0, 4.0), 0.5)))
    with qtbot.waitSignal(worker.models_loaded, timeout=5000) as blocker:
        worker.load(LoadRequest(FAKE_CONFIG, "fake"))
    info = blocker.args[0]
    assert isinstance(info, PairInfo) and info.verifier_alone_tps == 0.0


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[object]:
    made: list[tuple[ChatController, Store]] = []

    def make(loader: FakeLoader) -> MainWindow:
        store = Store(":memory:")
        c = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
        made.append((c, store))
        window = MainWindow(c, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
        qtbot.addWidget(window)
        window.resize(1300, 760)
        window.show()
        with qtbot.waitSignal(c.session.pair_loaded, timeout=5000):
            c.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        c.session.generation = GenerationConfig(max_tokens=120, draft=DraftConfig(draft_max=2))
        return window

    yield make
    for c, store in made:
        c.shutdown()
        store.close()


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.composer.edit.setFocus()
    qtbot.keyClicks(window.composer.edit, text)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


class Busy:
    """Makes the fake verifier take 3 ms a position, as a machine under load would."""

    def wrap(self, rule: Callable[[Sequence[int]], int]) -> Callable[[Sequence[int]], int]:
        def slow(history: Sequence[int]) -> int:
            end = time.perf_counter() + 0.003
            while time.perf_counter() < end:
                pass
            return rule(history)

        return slow


def test_a_reply_slower_than_its_calibration_says_the_machine_is_busy(qtbot: QtBot, make_window) -> None:  # type: ignore[no-untyped-def]
    calibrated = Costs((0.001, 0.0011, 0.0012), 0.0001)  # 1 ms a batch when it was measured
    window = make_window(FakeLoader(costs=calibrated, gate=Busy()))  # type: ignore[arg-type]
    c = window.controller
    with qtbot.waitSignal(c.chat.reply_finished, timeout=10000):
        send(qtbot, window, "abc")
    text = window.stats.numbers["speedup"].text()
    assert "machine looks busy" in text or "machine busy" in text
    assert "Fastest" not in text


def test_a_reply_faster_than_its_calibration_measures_again(qtbot: QtBot, make_window) -> None:  # type: ignore[no-untyped-def]
    loader = FakeLoader(costs=Costs((5.0, 6.0, 7.0), 1.0), fresh=PLAUSIBLE)  # taken under load
    window = make_window(loader)
    c = window.controller
    assert c.session.pair is not None and c.session.pair.verifier_alone_tps == pytest.approx(0.2)
    with qtbot.waitSignal(c.session.baseline_changed, timeout=10000):
        send(qtbot, window, "abc")
    pair = loader.pairs[-1]
    assert isinstance(pair, CalibratedPair) and pair.refreshed == 1
    assert c.session.pair.verifier_alone_tps == pytest.approx(50.0)
    qtbot.waitUntil(lambda: c.session.state is UiState.IDLE, timeout=5000)


def test_measure_again_reaches_the_worker_and_updates_the_figure(qtbot: QtBot, make_window) -> None:  # type: ignore[no-untyped-def]
    loader = FakeLoader(costs=PLAUSIBLE, fresh=Costs((0.04, 0.05, 0.06), 0.01))
    window = make_window(loader)
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=20, draft=DraftConfig(draft_max=2))
    with qtbot.waitSignal(c.chat.reply_finished, timeout=10000):
        send(qtbot, window, "abc")
    assert window.stats.measure.isVisible() and window.stats.measure.isEnabled()
    states: list[UiState] = []
    c.session.state_changed.connect(states.append)
    with qtbot.waitSignal(c.session.baseline_changed, timeout=10000):
        window.stats.measure.linkActivated.emit("measure")
    assert states[0] is UiState.MEASURING
    assert c.session.pair is not None and c.session.pair.verifier_alone_tps == pytest.approx(25.0)
    assert c.session.state is UiState.IDLE


def test_no_blame_before_the_reply_has_shown_the_machine_s_pace() -> None:
    from desktop.engine.calibration import DriftCheck
    from desktop.qt.worker import _news

    unknown = speedup.Speedup(0.4, 13.0, tokens=56, drift=None)  # 0.03×: seen on a loaded machine
    assert unknown.verdict is speedup.Verdict.EARLY
    said = speedup.words(unknown, Mode.SPECULATIVE)
    assert "Fastest" not in said and "slower" not in said
    assert "look the same" in speedup.explain(unknown, Mode.SPECULATIVE)
    # The worker tells the window its first verdict even when it is "steady", so that the
    # window knows the pace was checked and may then say that drafting does not pay.
    steady = DriftCheck(1.0, 8)
    assert _news(steady, None) and not _news(steady, steady)


def test_a_refused_calibration_says_there_is_no_baseline(qtbot: QtBot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(FakeLoader(costs=Costs((4.0, 4.0, 4.0), 0.5)))  # refused at load
    c = window.controller
    with qtbot.waitSignal(c.chat.reply_finished, timeout=10000):
        send(qtbot, window, "abc")
    label = window.stats.numbers["speedup"]
    assert label.isVisible() and "no baseline" in label.text()  # not silently dropped
    assert "Measure again" in label.toolTip() and window.stats.measure.isVisible()
