"""One step record from the engine to the screen: the view gets the engine's own events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.engine import speculative
from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.events import FinishReason, Source, StepEvent
from desktop.qt.controller import ChatController
from desktop.qt.payloads import ReplyFinished
from desktop.ui.chat_view import ChatView


@pytest.fixture
def yielded(monkeypatch: pytest.MonkeyPatch) -> list[StepEvent]:
    """Every event the engine yields, as it yields it (on the worker thread)."""
    events: list[StepEvent] = []
    original = speculative.Generation.__iter__

    def recording(self: speculative.Generation) -> Iterator[StepEvent]:
        for event in original(self):
            events.append(event)
            yield event

    monkeypatch.setattr(speculative.Generation, "__iter__", recording)
    return events


def test_the_view_draws_the_very_events_the_engine_yielded(
    qtbot: QtBot, controller: ChatController, yielded: list[StepEvent]
) -> None:
    view = ChatView(controller.chat.conversation)
    qtbot.addWidget(view)
    drawn: list[StepEvent] = []
    controller.chat.conversation.step_added.connect(drawn.append)  # what the view is given
    controller.session.generation = GenerationConfig(max_tokens=20, draft=DraftConfig(draft_max=4))
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000) as finished:
        assert controller.chat.send("abc")
    assert len(drawn) == len(yielded) > 1
    assert all(got is made for got, made in zip(drawn, yielded, strict=True))  # no copy, no re-decoding
    reply = controller.chat.conversation.messages()[-1]
    assert all(kept is made for kept, made in zip(reply.steps, yielded, strict=True))
    assert isinstance(finished.args[0], ReplyFinished)
    assert finished.args[0].finish_reason is FinishReason.LENGTH
    assert reply.finish_reason is FinishReason.LENGTH


def test_the_store_gives_back_the_engine_events_with_their_enums(
    qtbot: QtBot, controller: ChatController, yielded: list[StepEvent]
) -> None:
    controller.session.generation = GenerationConfig(max_tokens=20, draft=DraftConfig(draft_max=4))
    with qtbot.waitSignal(controller.chat.reply_finished, timeout=5000):
        assert controller.chat.send("abc")
    (_, stored) = controller.chat.store.messages(controller.chat.conversation.conversation_id or 0)
    assert stored.steps == tuple(yielded)  # ids, texts, timings and the finish reason too
    sources = {p.source for s in stored.steps for p in s.pieces}
    assert sources == {Source.ACCEPTED, Source.VERIFIER}
    assert stored.steps[-1].finish_reason is FinishReason.LENGTH
    assert stored.finish_reason is FinishReason.LENGTH
