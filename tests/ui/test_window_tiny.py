"""End to end with the real tiny pair: a reply streams into the window, Stop, another turn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig, ModelConfig
from desktop.engine.events import FinishReason
from desktop.engine.pair import PairConfig
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.stall import StallProbe
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import DONE, STOPPED
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.ui.test_chat_view import expected, frame_formats

pytestmark = pytest.mark.slow


@pytest.fixture
def tiny_window(qtbot: QtBot, tmp_path: Path, tiny_paths: tuple[Path, Path]) -> Iterator[MainWindow]:
    store = Store(tmp_path / "c.sqlite3")
    controller = ChatController(store, PairWorker())
    window = MainWindow(controller, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    v, d = tiny_paths
    config = PairConfig(ModelConfig(str(v), n_ctx=1024), ModelConfig(str(d), n_ctx=1024))
    probe = StallProbe()
    probe.start()
    with qtbot.waitSignal(controller.session.pair_loaded, timeout=120_000):
        controller.session.load_pair(LoadRequest(config, "tiny"))
    probe.stop()
    print(f"longest event-loop stall while loading: {probe.worst_ms:.0f} ms")
    yield window
    controller.shutdown()
    store.close()


def test_a_real_reply_streams_highlighted_then_stop_and_continue(
    qtbot: QtBot, tiny_window: MainWindow
) -> None:
    window = tiny_window
    c = window.controller
    c.session.generation = GenerationConfig(max_tokens=64, draft=DraftConfig(draft_max=4))
    probe = StallProbe()
    probe.start()
    with qtbot.waitSignal(c.chat.reply_finished, timeout=120_000):
        qtbot.keyClicks(window.composer.edit, "Write a Python function that reverses a string.")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    probe.stop()
    print(f"longest event-loop stall while generating: {probe.worst_ms:.0f} ms")
    assert probe.worst_ms < 250  # 100 ms is the goal; CI's 2 shared cores add scheduling noise
    reply = c.chat.conversation.messages()[-1]
    assert reply.status == DONE and reply.content.strip()
    assert sum(len(s.accepted) for s in reply.steps) > 0  # the tiny draft agrees often
    # The rendered reply is coloured exactly by the steps' sources, in order.
    got = frame_formats(window.chat, reply.id)
    flat = expected(reply.steps)
    r = 0
    for item in got:
        while r < len(flat) and flat[r] != item[:3]:
            r += 1
        assert r < len(flat)
        r += 1
    assert len(got) > 0.8 * len(reply.content.strip())

    c.session.generation = GenerationConfig(max_tokens=400, draft=DraftConfig(draft_max=4))
    with qtbot.waitSignal(c.chat.stats_changed, timeout=60_000):
        qtbot.keyClicks(window.composer.edit, "Now explain it in detail, step by step.")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(c.chat.reply_finished, timeout=60_000) as blocker:
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    assert blocker.args[0].finish_reason is FinishReason.CANCELLED
    stopped = c.chat.conversation.messages()[-1]
    assert stopped.status == STOPPED and stopped.content

    c.session.generation = GenerationConfig(max_tokens=24, draft=DraftConfig(draft_max=4))
    with qtbot.waitSignal(c.chat.reply_finished, timeout=120_000) as blocker:
        qtbot.keyClicks(window.composer.edit, "Thanks!")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert blocker.args[0].finish_reason in (FinishReason.STOP, FinishReason.LENGTH)
    assert c.chat.conversation.messages()[-1].content.strip()
    assert [m.status for m in c.chat.store.messages(c.chat.conversation.conversation_id or 0)] == [
        DONE,
        DONE,
        DONE,
        STOPPED,
        DONE,
        DONE,
    ]
