"""The store keeps the engine's own step record: enums come back as enums, and rows written
before the record was one type (texts only, statuses and reasons as bare strings) still load."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.engine.events import Decision, DecisionKind, FinishReason, Piece, Source, StepEvent, StepTimings
from desktop.store.db import Store
from desktop.store.export import from_json, import_into
from desktop.store.records import (
    DONE,
    STOPPED,
    STREAMING,
    UNKNOWN_TOKEN,
    MessageStatus,
    step_from_json,
    step_to_json,
)

# A reply's step exactly as the first format saved it (no ids, one total time).
OLD_STEP = {
    "i": 0,
    "t": [["He", "accepted"], ["llo", "verifier"]],
    "d": ["He", "y"],
    "r": ["y"],
    "v": "llo",
    "p": [0.5, 0.25, 0.75],
    "s": 0.25,
    "dr": "draft model",
    "q": [0.4, 0.5],
}

EVENT = StepEvent(
    index=3,
    drafted=(11, 12, 13),
    accepted=(11,),
    rejected=(12, 13),
    verifier=14,
    pieces=(Piece(11, "a", Source.ACCEPTED), Piece(14, "", Source.VERIFIER)),
    drafted_text=("a", "b", "c"),
    rejected_text=("b", "c"),
    verifier_probs=(0.5, 0.1, 0.2),
    draft_probs=(0.6, 0.3),
    timings=StepTimings(0.01, 0.02, 0.003, 4),
    finish_reason=FinishReason.STOP,
    drafter="n-gram",
    verifier_text="é",  # half a character: its piece waits, its own text does not
    decision=Decision(DecisionKind.EXPLOIT, "n-gram", 3),
)


def test_a_step_round_trips_as_the_engine_made_it() -> None:
    back = step_from_json(step_to_json(EVENT))
    assert back == replace(EVENT, decision=None)  # the fastest mode's prediction is the step log's
    assert all(type(p.source) is Source for p in back.pieces)
    assert back.finish_reason is FinishReason.STOP


def test_an_old_format_step_loads_into_the_engine_event() -> None:
    step = step_from_json(json.dumps(OLD_STEP))
    assert isinstance(step, StepEvent)
    assert [(p.text, p.source) for p in step.pieces] == [("He", Source.ACCEPTED), ("llo", Source.VERIFIER)]
    assert (step.drafted_text, step.rejected_text, step.verifier_text) == (("He", "y"), ("y",), "llo")
    assert (len(step.drafted), len(step.accepted), len(step.rejected)) == (2, 1, 1)
    assert {*step.drafted, step.verifier, *(p.token for p in step.pieces)} == {UNKNOWN_TOKEN}
    assert step.timings.total_s == 0.25 and step.drafter == "draft model"
    assert step.draft_probs == (0.4, 0.5) and step.finish_reason is None


def old_database(path: Path) -> None:
    """A conversation as an earlier Tandem left it: bare strings for statuses and reasons."""
    Store(path).close()  # today's schema; the rows below are what the old code wrote into it
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 'old', 0, 0)")
        rows = [
            (1, "user", "hi", "done", None),
            (2, "assistant", "Hello", "stopped", "error"),
            (3, "assistant", "Hello", "done", "length"),
            (4, "assistant", "Hello", "streaming", None),  # the app was killed while it streamed
        ]
        for mid, role, content, status, reason in rows:
            db.execute(
                "INSERT INTO messages (id, conversation, role, content, status, finish_reason, stats, pair,"
                " created) VALUES (?, 1, ?, ?, ?, ?, NULL, 'tiny', 0)",
                (mid, role, content, status, reason),
            )
            if role == "assistant":
                db.execute("INSERT INTO steps VALUES (?, 0, ?)", (mid, json.dumps(OLD_STEP)))
    db.close()


def test_an_old_conversation_loads_with_enums(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    old_database(path)
    store = Store(path)
    user, failed, cut, killed = store.messages(1)
    assert user.status is DONE and user.finish_reason is None
    assert (failed.status, failed.finish_reason) == (STOPPED, FinishReason.ERROR)
    assert (cut.status, cut.finish_reason) == (DONE, FinishReason.LENGTH)
    assert (killed.status, killed.finish_reason) == (STOPPED, FinishReason.INTERRUPTED)
    for reply in (failed, cut, killed):
        assert isinstance(reply.steps[0], StepEvent) and reply.steps[0].text == "Hello"
        assert reply.steps[0].pieces[0].source is Source.ACCEPTED


def test_statuses_and_reasons_are_stored_as_their_strings(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = Store(path)
    cid = store.create("t").id
    reply = store.add_message(cid, "assistant", "", STREAMING)
    store.append_steps(reply.id, [EVENT])
    store.finish_message(reply.id, DONE, FinishReason.CONTEXT, None)
    row = sqlite3.connect(path).execute("SELECT status, finish_reason FROM messages").fetchone()
    assert row == ("done", "context")  # what older versions of Tandem read
    assert store.messages(cid)[0].finish_reason is FinishReason.CONTEXT


@pytest.mark.parametrize("reason", list(FinishReason))
def test_every_finish_reason_round_trips(tmp_path: Path, reason: FinishReason) -> None:
    store = Store(tmp_path / "c.sqlite3")
    cid = store.create("t").id
    reply = store.add_message(cid, "assistant", "", STREAMING)
    store.finish_message(reply.id, MessageStatus.STOPPED, reason, None)
    assert store.messages(cid)[0].finish_reason is reason


def test_a_version_1_export_imports_into_engine_events(tmp_path: Path) -> None:
    step = {
        "index": 0,
        "drafted": ["He", "y"],
        "accepted": ["He"],
        "rejected": ["y"],
        "verifier": "llo",
        "tokens": [{"text": "He", "source": "accepted"}, {"text": "llo", "source": "verifier"}],
        "verifier_probs": [],
        "draft_probs": [],
        "seconds": 0.5,
        "drafter": "draft model",
    }
    reply = {"role": "assistant", "content": "Hello", "status": "stopped", "finish_reason": "error"}
    doc = {
        "format": "tandem-conversation",
        "version": 1,
        "title": "t",
        "messages": [reply | {"steps": [step]}],
    }
    store = Store(tmp_path / "c.sqlite3")
    (message,) = store.messages(import_into(store, from_json(json.dumps(doc))).id)
    assert (message.status, message.finish_reason) == (STOPPED, FinishReason.ERROR)
    (event,) = message.steps
    assert [p.source for p in event.pieces] == [Source.ACCEPTED, Source.VERIFIER]
    assert event.rejected == (UNKNOWN_TOKEN,) and event.timings.total_s == 0.5 and event.text == "Hello"
