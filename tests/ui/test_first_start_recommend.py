"""The first-start screen recommends a pair for this computer, says why, and lists the others."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.models.catalog import CATALOG
from desktop.models.recommend import GIB, Machine
from desktop.ui.first_start import FirstStart, gigabytes


def test_a_gpu_machine_is_offered_the_7b_pair_and_told_why(qtbot: QtBot) -> None:
    screen = FirstStart(machine=Machine(32 * GIB, "CUDA"))
    qtbot.addWidget(screen)
    text = screen.recommendation.text()
    assert "Qwen2.5-Coder 7B with a 0.5B draft" in text
    assert "This computer has 32 GB of memory and a CUDA GPU" in text
    assert screen.buttons["coder-7b"].objectName() == "primary"
    assert screen.buttons["coder-7b"].text() == "Fetch this pair (5.2\u00a0GB)"


def test_a_cpu_machine_is_offered_the_default_pair(qtbot: QtBot) -> None:
    screen = FirstStart(machine=Machine(8 * GIB, "none"))
    qtbot.addWidget(screen)
    text = screen.recommendation.text()
    assert "Qwen2.5-Coder 1.5B with a 0.5B draft" in text
    assert "8 GB of memory and no GPU backend in this build: a 1.5B verifier keeps replies quick" in text
    assert screen.buttons["default"].objectName() == "primary"


def test_every_other_pair_is_listed_with_its_size_and_machine_and_fetches(qtbot: QtBot) -> None:
    screen = FirstStart(machine=Machine(8 * GIB, "none"))
    qtbot.addWidget(screen)
    labels = [w.text() for w in screen.findChildren(QLabel) if "Suits" in w.text()]
    for pair in CATALOG.pairs:
        if pair.name == "default":
            continue  # the recommended one, in the box above
        (line,) = [t for t in labels if pair.title in t]
        assert gigabytes(CATALOG.download_size(pair)) in line and f"Suits {pair.suits.line()}" in line
    assert any("Suits 16 GB of memory, a GPU (CUDA, Metal or Vulkan)" in t for t in labels)
    assert set(screen.buttons) == {p.name for p in CATALOG.pairs}
    with qtbot.waitSignal(screen.fetch_requested) as fetched:
        screen.buttons["qwen3-8b"].click()
    assert fetched.args == ["qwen3-8b"]


def test_a_new_machine_replaces_the_recommendation(qtbot: QtBot) -> None:
    screen = FirstStart(machine=Machine(8 * GIB, None))
    qtbot.addWidget(screen)
    screen.set_machine(Machine(64 * GIB, "Metal"))
    assert "Qwen2.5-Coder 7B" in screen.recommendation.text()
    assert len(screen.buttons) == len(CATALOG.pairs)
    with qtbot.waitSignal(screen.fetch_requested) as fetched:
        screen.tiny_button.click()
    assert fetched.args == ["tiny"]
