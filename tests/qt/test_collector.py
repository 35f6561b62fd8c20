"""Cyclic garbage made on a worker thread is collected on the GUI thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from desktop.qt.collector import GuiThreadCollector


def test_garbage_made_on_a_worker_thread_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    collected_on: list[int] = []

    class Cycle:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            collected_on.append(threading.get_ident())

    kept: list[list[object]] = []

    def work() -> None:
        Cycle()
        # Containers that stay alive push the youngest generation's count past its threshold.
        kept.extend([] for _ in range(3 * gc.get_threshold()[0]))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    try:
        assert not gc.isenabled()
        qtbot.waitUntil(lambda: bool(collected_on), timeout=5000)
    finally:
        collector.stop()
    assert collected_on == [threading.get_ident()]


def test_stop_gives_collection_back() -> None:
    gc.enable()
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
