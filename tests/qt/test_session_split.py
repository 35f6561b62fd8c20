"""The controller's two halves: the pair session works without a chat, the chat runs its
replies on a session, and neither relays the worker's signals one to one."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.engine.config import GenerationConfig
from desktop.engine.events import FinishReason
from desktop.qt.chat import Chat
from desktop.qt.payloads import LoadRequest
from desktop.qt.session import PairSession
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import STOPPED
from tests.qtfakes import FAKE_CONFIG, FakeLoader, Gate, ok_checker


def test_a_session_loads_and_measures_without_any_chat(qtbot: QtBot) -> None:
    session = PairSession(PairWorker(loader=FakeLoader(), checker=ok_checker))
    try:
        progress: list[object] = []
        session.worker.load_progressed.connect(progress.append)  # shown straight from the worker
        with qtbot.waitSignal(session.pair_loaded, timeout=5000):
            assert session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        assert session.state is UiState.IDLE and session.pair is not None and progress
        for relayed in ("load_progressed", "fetch_progressed", "files_checked"):
            assert not hasattr(session, relayed)  # the window connects to the worker's own
    finally:
        session.shutdown()


def test_a_chat_runs_its_reply_on_the_session_and_a_new_load_stops_it(qtbot: QtBot, tmp_path: Path) -> None:
    gate = Gate(at=30)
    store = Store(tmp_path / "c.sqlite3")
    session = PairSession(PairWorker(loader=FakeLoader(gate=gate), checker=ok_checker))
    chat = Chat(store, session)
    try:
        with qtbot.waitSignal(session.pair_loaded, timeout=5000):
            session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        session.generation = GenerationConfig(max_tokens=100)
        assert chat.send("abc")
        assert session.state is UiState.GENERATING
        qtbot.waitUntil(gate.reached.is_set, timeout=5000)
        # The state as the reply ends (the fake load may be done before waitSignal returns).
        when_finished: list[UiState] = []
        chat.reply_finished.connect(lambda _: when_finished.append(session.state))
        with qtbot.waitSignal(chat.reply_finished, timeout=5000) as finished:
            assert session.load_pair(LoadRequest(FAKE_CONFIG, "other"))  # stops the reply first
            gate.release.set()
        assert finished.args[0].finish_reason is FinishReason.CANCELLED
        assert when_finished == [UiState.LOADING]  # the stopped reply does not make it look ready
        reply = chat.conversation.messages()[-1]
        assert reply.status is STOPPED and reply.steps
        assert [c.title for c in chat.conversations()] == ["abc"]  # the window lists through the chat
        qtbot.waitUntil(lambda: session.pair is not None and session.pair.label == "other", timeout=5000)
    finally:
        chat.cancel()
        session.shutdown()
        chat.shutdown()
        store.close()
