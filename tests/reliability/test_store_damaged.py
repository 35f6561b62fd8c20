"""A damaged conversation database is set aside and Tandem starts; an unwritable one is read-only.

Before: random bytes, a text file, a truncated file or a folder in place of
conversations.sqlite3 (or a read-only data folder) ended the start with a traceback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import desktop.store.db as db
from desktop.store.db import Store
from desktop.store.records import DONE, STREAMING
from desktop.store.recovery import open_store
from tests.reliability.window_process import finish, start, wait_until

NAME = "conversations.sqlite3"


def history(path: Path, conversations: int = 40) -> None:
    """A real database with `conversations` chats of a few KB each, the last reply cut short."""
    store = Store(path)
    for i in range(conversations):
        info = store.create(f"chat {i}")
        store.add_message(info.id, "user", f"question {i} " + "q" * 2000, DONE)
        store.add_message(info.id, "assistant", f"answer {i} " + "a" * 2000, DONE)
    store.add_message(info.id, "assistant", "cut", STREAMING)
    store.close()


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def text_file(path: Path) -> None:
    path.write_text("these are my notes, not a database\n" * 100)


def truncated(path: Path) -> None:
    history(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3 + 123])  # mid-page


def folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("x")


def set_aside(data: Path) -> list[Path]:
    return sorted(
        p
        for p in data.iterdir()
        if p.name.startswith(f"{NAME}.damaged-")
        and p.suffix != ".txt"
        and not p.name.endswith(("-wal", "-shm"))
    )


@pytest.mark.parametrize("damage", [random_bytes, text_file, truncated, folder])
def test_a_damaged_database_is_set_aside_and_a_new_one_works(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    path = tmp_path / NAME
    damage(path)
    opened = open_store(path)
    try:
        [aside] = set_aside(tmp_path)
        assert str(aside) in opened.notice and "damaged" in opened.notice
        assert opened.store.persistent
        info = opened.store.create("after")
        opened.store.add_message(info.id, "user", "still works", DONE)
        assert opened.store.failure is None
    finally:
        opened.store.close()
    assert Store(path).messages(info.id)[0].content == "still works"


def test_what_still_reads_in_a_truncated_database_is_recovered(tmp_path: Path) -> None:
    path = tmp_path / NAME
    truncated(path)
    opened = open_store(path)
    recovered = opened.store.conversations()
    # The conversations table fits in one page before the cut: every chat is there.
    assert {info.title for info in recovered} == {f"chat {i}" for i in range(40)}
    assert "40 conversations were recovered" in opened.notice
    survived = 0
    for info in recovered:
        i = info.title.removeprefix("chat ")
        whole = {f"question {i} " + "q" * 2000, f"answer {i} " + "a" * 2000, "cut"}
        for message in opened.store.messages(info.id):
            assert message.status != STREAMING
            assert message.content in whole  # what survives is whole, and in its own chat
            survived += 1
    assert 0 < survived < 2 * 40 + 1  # the messages past the cut are gone
    opened.store.close()


def test_an_unwritable_database_gives_a_read_only_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / NAME
    history(path, conversations=3)
    before = path.read_bytes()
    real = db.connect

    def read_only(target: str) -> sqlite3.Connection:  # as a read-only folder does, even for root
        return real(target) if target == ":memory:" else sqlite3.connect(f"file:{target}?mode=ro", uri=True)

    monkeypatch.setattr(db, "connect", read_only)
    opened = open_store(path)
    store = opened.store
    assert not store.persistent
    assert "cannot write" in opened.notice and "will not be saved" in opened.notice
    assert len(store.conversations()) == 3  # the history is shown
    info = store.create("new")
    store.add_message(info.id, "user", "kept in memory", DONE)
    assert store.failure is None and store.messages(info.id)[0].content == "kept in memory"
    store.close()
    assert path.read_bytes() == before
    assert not set_aside(tmp_path)


def test_a_data_folder_that_cannot_exist_gives_a_session_in_memory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    opened = open_store(tmp_path / "file" / "data" / NAME)
    assert not opened.store.persistent and "will not be saved" in opened.notice
    info = opened.store.create("new")
    assert opened.store.conversation(info.id) is not None
    opened.store.close()


def test_the_window_starts_on_a_damaged_database(tmp_path: Path) -> None:
    """The real `tandem` start: no traceback, the file is set aside, SIGTERM quits cleanly."""
    data = tmp_path / "data"
    data.mkdir()
    text_file(data / NAME)
    window = start("desktop", data)
    try:
        wait_until(lambda: bool(set_aside(data)) and (data / "tandem.lock").exists(), window)
        window.send_signal(signal.SIGTERM)
        code, stderr = finish(window)
    finally:
        window.kill()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "The conversation database was damaged" in stderr
    assert Store(data / NAME).conversations() == []
