"""History drafting is opt-in: off, the store is never read for it; on, drafted runs name the
past reply they came from, in the tooltip."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.engine.events import Origin, Source
from desktop.engine.suffix_history import PastText
from desktop.qt.controller import ChatController
from desktop.qt.history_feed import HistoryFeed
from desktop.qt.payloads import LoadRequest
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.history import past_replies
from desktop.store.records import DONE, STREAMING, Step, Token
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.tooltips import step_tooltip
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, FakeLoader, ok_checker
from tests.ui.test_window import type_and_send

DAY = 86400.0
PARSER = Origin("Refactor parser", time.time() - 3 * DAY - 60)


class CountingReader:
    """Stands in for the store: a past reply the fake verifier's counting language repeats."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> list[PastText]:
        self.reads += 1
        return [PastText("abcdefghijklmnopqrstuvwxy" * 2, PARSER)]


@pytest.fixture
def reader() -> CountingReader:
    return CountingReader()


@pytest.fixture
def history_window(qtbot: QtBot, tmp_path: Path, reader: CountingReader) -> Iterator[MainWindow]:
    store = Store(tmp_path / "c.sqlite3")
    worker = PairWorker(loader=FakeLoader(), checker=ok_checker, history=HistoryFeed(reader))
    controller = ChatController(store, worker)
    settings = Settings(tmp_path / "settings.ini")
    win = MainWindow(controller, settings, default_preferences(), gpu_offload=False)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(controller.pair_loaded, timeout=5000):
        controller.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    yield win
    controller.shutdown()
    store.close()


def test_off_by_default_and_off_means_no_store_reads(
    qtbot: QtBot, history_window: MainWindow, reader: CountingReader
) -> None:
    c = history_window.controller
    assert not history_window.prefs.history_drafts and not c.generation.draft.history
    with qtbot.waitSignal(c.reply_finished, timeout=10000):
        type_and_send(qtbot, history_window, "abc")
    assert reader.reads == 0
    assert all(s.origin is None for m in c.conversation.messages() for s in m.steps)


def test_on_reads_past_replies_and_steps_name_the_reply(
    qtbot: QtBot, history_window: MainWindow, reader: CountingReader
) -> None:
    history_window.open_preferences()
    dialog = history_window.preferences_dialog
    assert dialog is not None
    dialog.history.setChecked(True)
    dialog.accept()
    c = history_window.controller
    assert c.generation.draft.history
    assert Settings(Path(history_window.settings._s.fileName())).load().history_drafts
    with qtbot.waitSignal(c.reply_finished, timeout=10000):
        type_and_send(qtbot, history_window, "abc")
    assert reader.reads == 1
    reply = c.conversation.messages()[-1]
    named = [s for s in reply.steps if s.origin == PARSER]
    assert named and all(s.drafter == "suffix" and s.drafted for s in named)
    assert "from your reply in 'Refactor parser', 3 days ago" in step_tooltip(named[0], "accepted")


def test_origin_survives_the_store_and_reads_as_a_person_would_say_it() -> None:
    step = Step(0, (Token("x", Source.ACCEPTED), Token("y", Source.VERIFIER)), ("x",), (), "y", origin=PARSER)
    assert Step.from_json(step.to_json()) == step
    now = PARSER.when
    ages = [(30, "just now"), (300, "5 minutes ago"), (DAY + 5, "yesterday"), (15 * DAY, "2 weeks ago")]
    for age, said in ages:
        assert f"'Refactor parser', {said}" in step_tooltip(step, "accepted", now + age)


def test_past_replies_reads_finished_replies_of_kept_conversations_newest_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    kept, gone = store.create("Refactor parser"), store.create("Deleted chat")
    store.add_message(kept.id, "user", "question", DONE)
    store.add_message(kept.id, "assistant", "older answer", DONE)
    store.add_message(kept.id, "assistant", "newer answer", DONE)
    store.add_message(kept.id, "assistant", "still streaming", STREAMING)
    store.add_message(gone.id, "assistant", "deleted answer", DONE)
    store.delete(gone.id)
    store.flush()
    past = past_replies(tmp_path / "c.sqlite3")
    assert [p.text for p in past] == ["newer answer", "older answer"]
    assert past[0].origin.title == "Refactor parser" and past[0].origin.when > 0
    assert past_replies(tmp_path / "missing.sqlite3") == []
    store.close()
