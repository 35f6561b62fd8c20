"""The conversation store: persistence across connections, steps, recovery, search, undo."""

from __future__ import annotations

from pathlib import Path

from desktop.engine.events import FinishReason, GenerationStats, StepEvent
from desktop.store.db import Store
from desktop.store.records import DONE, STOPPED, STREAMING, title_from
from tests.steps import text_step


def step(i: int, text: str = "ab", drafter: str = "draft model") -> StepEvent:
    return text_step(
        i, (text[:1],), text[1:], ("x",), drafter=drafter, verifier_probs=(0.5, 0.25, 0.75), seconds=0.01
    )


def test_a_reply_and_its_steps_survive_a_new_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = Store(path)
    conv = store.create("Hello")
    store.add_message(conv.id, "user", "hi", DONE)
    reply = store.add_message(conv.id, "assistant", "", STREAMING, pair="tiny")
    store.append_steps(reply.id, [step(0, "ab"), step(1, "cd", "n-gram")])
    stats = GenerationStats(steps=2, drafted=4, accepted=2, tokens=4)
    store.finish_message(reply.id, DONE, FinishReason.STOP, stats, verifier_alone_tps=27.5)
    store.close()

    again = Store(path)
    messages = again.messages(conv.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].content == "abcd"
    assert messages[1].steps == (step(0, "ab"), step(1, "cd", "n-gram"))  # who drafted, too
    assert messages[1].stats == stats
    assert messages[1].verifier_alone_tps == 27.5  # what its speed-up was measured against
    assert messages[1].pair == "tiny"
    assert again.journal_mode() == "wal"


def test_a_reply_left_streaming_by_a_crash_is_kept_and_marked_stopped(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = Store(path)
    conv = store.create("t")
    reply = store.add_message(conv.id, "assistant", "", STREAMING)
    store.append_steps(reply.id, [step(0, "ab")])
    # No finish_message and no close: as if the process was killed.
    again = Store(path)
    assert again.recovered == 1
    (message,) = again.messages(conv.id)
    assert message.status == STOPPED
    assert message.content == "ab"
    assert len(message.steps) == 1


def test_search_matches_titles_and_message_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    a = store.create("Palindromes")
    b = store.create("Other")
    store.add_message(b.id, "user", "what is 100% of a_b?", DONE)
    assert [c.id for c in store.conversations("palin")] == [a.id]
    assert [c.id for c in store.conversations("100%")] == [b.id]
    assert [c.id for c in store.conversations("a_b")] == [b.id]
    assert store.conversations("a%b") == []  # wildcards are literal
    assert {c.id for c in store.conversations()} == {a.id, b.id}


def test_delete_can_be_undone_until_purged(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    conv = store.create("gone")
    store.add_message(conv.id, "user", "x", DONE)
    store.delete(conv.id)
    assert store.conversations() == []
    store.undelete(conv.id)
    assert [c.id for c in store.conversations()] == [conv.id]
    store.delete(conv.id)
    store.purge_deleted()
    store.undelete(conv.id)
    assert store.conversations() == []
    assert store.messages(conv.id) == []


def test_rename_and_remove_messages(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    conv = store.create("old")
    m1 = store.add_message(conv.id, "user", "x", DONE)
    m2 = store.add_message(conv.id, "assistant", "y", DONE)
    store.rename(conv.id, "new")
    store.remove_messages([m2.id])
    assert store.conversation(conv.id).title == "new"  # type: ignore[union-attr]
    assert [m.id for m in store.messages(conv.id)] == [m1.id]


def test_titles_come_from_the_first_line() -> None:
    assert title_from("\n  Write a function\nthat does x") == "Write a function"
    assert len(title_from("word " * 40)) <= 48
    assert title_from("   ") == "New chat"
