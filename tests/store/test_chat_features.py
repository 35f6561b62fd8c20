"""The store's side of the chat features: the schema migration, system prompts, reply variants."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.store import migrations
from desktop.store.db import SCHEMA, Store
from desktop.store.records import DONE, STREAMING


def test_a_database_from_before_the_migration_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)  # the first release's schema, user_version 0
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 'old', 0, 0)")
    db.execute(
        "INSERT INTO messages (id, conversation, role, content, status, created)"
        " VALUES (1, 1, 'user', 'hello', 'done', 0)"
    )
    db.commit()
    db.close()

    store = Store(path)
    assert migrations.version(store._db) == migrations.VERSION
    info = store.conversation(1)
    assert info is not None and info.system_prompt == ""
    assert [(m.content, m.variants) for m in store.messages(1)] == [("hello", ())]
    store.set_system_prompt(1, "Be brief.")
    store.close()
    again = Store(path)  # opening an up-to-date file again changes nothing
    assert again.conversation(1).system_prompt == "Be brief."  # type: ignore[union-attr]


def test_a_system_prompt_is_kept_with_its_conversation(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    store.create("t", system_prompt="You are a pirate.")
    store.close()
    again = Store(tmp_path / "c.sqlite3")
    assert [c.system_prompt for c in again.conversations()] == ["You are a pirate."]


def test_a_regenerated_reply_keeps_the_earlier_one_as_a_hidden_variant(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    cid = store.create("t").id
    user = store.add_message(cid, "user", "hi", DONE)
    first = store.add_message(cid, "assistant", "one", DONE)
    second = store.add_message(cid, "assistant", "two", STREAMING, variant_of=(first.id,))
    assert second.variants == (first.id, second.id)
    shown = store.messages(cid)
    assert [m.content for m in shown] == ["hi", "two"]
    assert shown[1].variants == (first.id, second.id) and shown[1].variant_index == 1
    third = store.add_message(cid, "assistant", "three", DONE, variant_of=second.variants)
    after = store.add_message(cid, "user", "next", DONE)
    store.show_variant(first.id, first.id)  # flip back to the first one
    shown = store.messages(cid)
    assert [m.id for m in shown] == [user.id, first.id, after.id]  # in its place, not at the end
    assert shown[1].variants == (first.id, second.id, third.id) and shown[1].variant_index == 0
    hidden = store.message(third.id)
    assert hidden is not None and hidden.content == "three"
    store.remove_messages(list(shown[1].variants))
    assert [m.id for m in store.messages(cid)] == [user.id, after.id]
    assert store.message(second.id) is None
