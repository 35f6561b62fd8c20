"""The window fits a 700 px wide (or 200 % scaled) screen: names elide, the stats strip folds,
the sidebar folds, restored geometry fits the screen, and wrapped text is never cut off."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.engine.events import GenerationStats
from desktop.qt.payloads import FetchProgress, PairInfo
from desktop.ui.first_start import FirstStart, progress_words
from desktop.ui.window import MainWindow

LONG = "Qwen2.5-Coder-32B-Instruct-abliterated-imatrix-IQ4_XS-with-a-very-long-name.gguf"


def test_the_window_can_be_700_px_wide(qtbot: QtBot, window: MainWindow) -> None:
    assert window.minimumSizeHint().width() <= 700
    wide = window.splitter.sizes()[0]
    assert wide > 0
    window.resize(700, 600)
    qtbot.waitUntil(lambda: window.width() == 700)
    assert window.sidebar.isHidden()  # folded away
    window.show_conversations()  # Ctrl+Shift+L brings it back, as wide as it was
    assert not window.sidebar.isHidden() and window.splitter.sizes()[0] == wide
    window.sidebar.hide()
    window._folded_sidebar = 200
    window.resize(1200, 700)
    qtbot.waitUntil(lambda: window.width() == 1200)
    assert not window.sidebar.isHidden() and window.splitter.sizes()[0] == 200  # wide again: unfolded


def test_a_long_pair_name_elides_instead_of_widening_the_window(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(760, 600)
    qtbot.waitUntil(lambda: window.width() == 760)
    window.controller.session.pair_loaded.emit(PairInfo("a-pair-with-a-long-label", LONG, LONG, 20.0))
    qtbot.wait(0)  # let the layout settle (no time passes)
    assert window.width() == 760
    assert window.minimumSizeHint().width() <= 700
    button = window.topbar.pair_button
    assert LONG.removesuffix(".gguf") in button.text()  # the whole name, elided when painted
    assert button.width() < button.sizeHint().width()


def test_a_narrow_stats_strip_folds_numbers_into_its_tooltip(qtbot: QtBot, window: MainWindow) -> None:
    strip = window.stats
    strip.show_stats(GenerationStats(steps=120, tokens=480, drafted=400, accepted=360, verify_s=4.0), 25.0)
    window.resize(700, 600)
    qtbot.waitUntil(lambda: window.sidebar.isHidden() and 600 < strip.width() <= 700)
    assert strip.folded  # some numbers moved to the tooltip
    shown = [w for w in (*strip.numbers.values(), strip.measure, strip.chart) if w.isVisible()]
    assert sum(w.width() for w in shown) <= strip.width()
    for w in shown:
        assert w.width() >= w.sizeHint().width()  # what is shown is whole, not squeezed
    QGuiApplication.sendEvent(
        strip, QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), strip.mapToGlobal(QPoint(2, 2)))
    )
    assert strip.toolTip().startswith("Also: ") and "steps" in strip.toolTip()
    window.resize(1800, 700)
    qtbot.waitUntil(lambda: not strip.folded)


def test_restored_geometry_is_fitted_to_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    area = window.screen().availableGeometry()
    window.resize(area.width() + 900, area.height() + 700)
    window.move(area.right() + 300, area.bottom() + 300)
    window.fit_to_screen()
    assert window.width() <= area.width() and window.height() <= area.height()
    assert area.contains(window.frameGeometry().topLeft())


def test_progress_reads_as_a_person_would_say_it() -> None:
    progress = FetchProgress("download qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", 312_000_000, 1_117_320_768)
    assert progress_words(progress, "default", rate=6_700_000) == (
        "Downloading the verifier: 312 of 1,117 MB, 2 min left"
    )
    assert progress_words(FetchProgress("assemble x.gguf", 5_000_000, 0), "nope") == "Assembling x.gguf: 5 MB"


def fully_shown(label: QLabel) -> bool:
    return label.height() >= label.heightForWidth(label.width())


def test_first_start_text_and_progress_wrap_without_being_cut(qtbot: QtBot) -> None:
    now = [100.0]
    page = FirstStart(clock=lambda: now[0])
    qtbot.addWidget(page)
    page.resize(520, 700)
    page.show()
    page.pair = "default"
    name = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    page.show_progress(FetchProgress(f"download {name}", 100_000_000, 1_117_320_768))
    now[0] += 30.0
    page.show_progress(FetchProgress(f"download {name}", 312_000_000, 1_117_320_768))
    assert page.status.text() == "Downloading the verifier: 312 of 1,117 MB, 2 min left"
    qtbot.wait(0)
    labels = [w for w in page.findChildren(QLabel) if w.wordWrap() and w.isVisible()]
    assert len(labels) >= 3
    for label in labels:
        assert fully_shown(label), label.text()[:40]
        assert label.alignment() & Qt.AlignmentFlag.AlignTop


def test_the_first_window_leaves_room_on_a_small_screen(window: MainWindow) -> None:
    from desktop.ui.app import default_size

    area = window.screen().availableGeometry()
    size = default_size(window, width=area.width() + 500, height=area.height() + 300)
    assert size.width() <= area.width() * 0.92 and size.height() <= area.height() * 0.92
    assert default_size(window, width=300, height=200).toTuple() == (300, 200)  # small stays
