"""The controller: conversations, Stop mid-reply, regenerate, edit, persistence."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.costmodel import Costs
from desktop.engine.events import FinishReason
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import DONE, STOPPED, reply_text
from tests.qtfakes import FAKE_CONFIG, FakeLoader, Gate, ok_checker


def send_and_wait(qtbot: QtBot, ctl: ChatController, text: str) -> None:
    with qtbot.waitSignal(ctl.chat.reply_finished, timeout=5000):
        assert ctl.chat.send(text)


def assert_caches_consistent(pair) -> None:  # type: ignore[no-untyped-def]
    """Both caches hold exactly what their bookkeeping says, a prefix of the committed text."""
    v, d = pair.decoder.verifier, pair.decoder.draft
    assert v.model.cache == v.tokens
    assert d.model.cache == d.tokens
    assert d.tokens[: len(v.tokens)] == v.tokens[: len(d.tokens)]


def test_a_reply_streams_into_the_model_and_the_store(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=20, draft=DraftConfig(draft_max=4))
    states: list[UiState] = []
    controller.session.state_changed.connect(states.append)
    send_and_wait(qtbot, controller, "abc")
    user, reply = controller.chat.conversation.messages()
    assert (user.role, user.content) == ("user", "abc")
    assert reply.status == DONE and reply.finish_reason is FinishReason.LENGTH
    assert reply.content == reply_text(reply.steps) and len(reply.content) == 20
    assert any(s.rejected for s in reply.steps)  # the fake draft diverges
    assert states == [UiState.GENERATING, UiState.IDLE]
    stored = controller.chat.store.messages(controller.chat.conversation.conversation_id or 0)
    assert stored == list(controller.chat.conversation.messages())


def test_stop_mid_reply_keeps_a_consistent_conversation_and_usable_caches(
    qtbot: QtBot, tmp_path: Path
) -> None:
    gate = Gate(at=60)
    loader = FakeLoader(diverge_at=frozenset({45, 52}), gate=gate)
    store = Store(tmp_path / "c.sqlite3")
    ctl = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
    try:
        with qtbot.waitSignal(ctl.session.pair_loaded, timeout=5000):
            ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        ctl.session.generation = GenerationConfig(max_tokens=200, draft=DraftConfig(draft_max=4))
        assert ctl.chat.send("abc")
        qtbot.waitUntil(gate.reached.is_set, timeout=5000)
        cid = ctl.chat.conversation.conversation_id or 0
        # Steps reach the database while the reply streams: a process killed now keeps them,
        # and the next start (a new connection) marks the partial reply stopped.
        qtbot.waitUntil(lambda: bool(store.messages(cid)[-1].steps), timeout=5000)
        after_a_kill = Store(tmp_path / "c.sqlite3")
        partial = after_a_kill.messages(cid)[-1]
        after_a_kill.close()
        assert partial.status == STOPPED and partial.content == reply_text(partial.steps) != ""
        ctl.chat.stop()
        assert ctl.session.state is UiState.STOPPING
        with qtbot.waitSignal(ctl.chat.reply_finished, timeout=5000) as blocker:
            gate.release.set()
        assert blocker.args[0].finish_reason is FinishReason.CANCELLED
        assert ctl.session.state is UiState.IDLE
        reply = ctl.chat.conversation.messages()[-1]
        assert reply.status == STOPPED
        assert 0 < len(reply.content) < 200
        assert reply.content == reply_text(reply.steps)
        assert store.messages(ctl.chat.conversation.conversation_id or 0)[-1] == reply
        pair = loader.pairs[-1]
        assert_caches_consistent(pair)

        send_and_wait(qtbot, ctl, "more")
        follow = ctl.chat.conversation.messages()[-1]
        assert follow.status == DONE and follow.content
        assert_caches_consistent(pair)
        assert [m.role for m in ctl.chat.conversation.history()] == ["user", "assistant", "user", "assistant"]
    finally:
        gate.release.set()
        ctl.shutdown()
        store.close()


def test_regenerate_replaces_the_last_reply(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=10)
    send_and_wait(qtbot, controller, "abc")
    first = controller.chat.conversation.messages()[-1]
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.regenerate()
    messages = controller.chat.conversation.messages()
    assert len(messages) == 2 and messages[-1].id != first.id
    assert [
        m.id for m in controller.chat.store.messages(controller.chat.conversation.conversation_id or 0)
    ] == [m.id for m in messages]


def test_edit_and_resend_replaces_the_last_exchange(qtbot: QtBot, controller: ChatController) -> None:
    controller.session.generation = GenerationConfig(max_tokens=10)
    send_and_wait(qtbot, controller, "abc")
    send_and_wait(qtbot, controller, "def")
    assert controller.chat.last_user_text() == "def"
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.edit_last("xyz")
    roles = [(m.role, m.content) for m in controller.chat.conversation.messages() if m.role == "user"]
    assert roles == [("user", "abc"), ("user", "xyz")]
    assert len(controller.chat.store.messages(controller.chat.conversation.conversation_id or 0)) == 4


def test_a_conversation_survives_closing_and_reopening(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "persist.sqlite3"
    store = Store(path)
    ctl = ChatController(store, PairWorker(loader=FakeLoader(frozenset({40})), checker=ok_checker))
    with qtbot.waitSignal(ctl.session.pair_loaded, timeout=5000):
        ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    ctl.session.generation = GenerationConfig(max_tokens=12)
    send_and_wait(qtbot, ctl, "hello")
    before = ctl.chat.conversation.messages()
    cid = ctl.chat.conversation.conversation_id
    ctl.shutdown()
    store.close()

    store2 = Store(path)
    ctl2 = ChatController(store2, PairWorker(loader=FakeLoader(), checker=ok_checker))
    try:
        assert [c.id for c in store2.conversations()] == [cid]
        ctl2.chat.open_conversation(cid or 0)
        assert ctl2.chat.conversation.messages() == before
        assert ctl2.chat.conversation.messages()[-1].steps[0].pieces  # the step structure is back
    finally:
        ctl2.shutdown()
        store2.close()


def test_send_is_refused_unless_idle(qtbot: QtBot, tmp_path: Path) -> None:
    store = Store(":memory:")
    ctl = ChatController(store, PairWorker(loader=FakeLoader(), checker=ok_checker))
    try:
        assert ctl.session.state is UiState.EMPTY
        assert not ctl.chat.send("hi")
        assert store.conversations() == []
    finally:
        ctl.shutdown()
        store.close()


def test_a_cancelled_load_is_not_a_failure(qtbot: QtBot) -> None:
    store = Store(":memory:")
    loader = FakeLoader(hold=True)
    ctl = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
    try:
        ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        assert ctl.session.state is UiState.LOADING
        qtbot.waitUntil(loader.started.is_set, timeout=5000)
        with (
            qtbot.assertNotEmitted(ctl.session.failed),
            qtbot.waitSignal(ctl.session.state_changed, timeout=5000) as b,
        ):
            ctl.session.cancel_load()
        assert b.args == [UiState.EMPTY] and ctl.session.pair is None
        assert loader.saw_cancel  # the load ended because it was cancelled, not by timing out
    finally:
        ctl.shutdown()
        store.close()


def test_shutting_down_mid_load_cancels_the_load(qtbot: QtBot) -> None:
    store = Store(":memory:")
    loader = FakeLoader(hold=True)
    ctl = ChatController(store, PairWorker(loader=loader, checker=ok_checker))
    ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    qtbot.waitUntil(loader.started.is_set, timeout=5000)
    ctl.shutdown()  # waits for the worker thread, which ends as soon as the load sees the cancel
    store.close()
    assert loader.saw_cancel


def test_a_reply_is_stored_with_the_verifier_alone_speed(qtbot: QtBot) -> None:
    store = Store(":memory:")
    ctl = ChatController(store, PairWorker(loader=FakeLoader(costs=Costs((0.05, 0.06))), checker=ok_checker))
    try:
        with qtbot.waitSignal(ctl.session.pair_loaded, timeout=5000) as blocker:
            ctl.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
        assert blocker.args[0].verifier_alone_tps == 20.0
        ctl.session.generation = GenerationConfig(max_tokens=10)
        send_and_wait(qtbot, ctl, "abc")
        assert ctl.chat.conversation.messages()[-1].verifier_alone_tps == 20.0
        stored = store.messages(ctl.chat.conversation.conversation_id or 0)
        assert stored[-1].verifier_alone_tps == 20.0 and stored[-1].stats is not None
    finally:
        ctl.shutdown()
        store.close()
