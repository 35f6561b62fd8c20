"""A store write that fails (disk full) never wedges the window, and nothing is lost once there is room.

Before: the failing write raised inside a slot, the window stayed at "Writing…" with Send and
the sidebar disabled, nothing told the user, and a message sent on a full disk vanished.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import desktop.store.db as db
from desktop.engine.config import GenerationConfig
from desktop.qt.controller import ChatController
from desktop.qt.payloads import LoadRequest
from desktop.qt.state import UiState
from desktop.qt.worker import PairWorker
from desktop.store.db import Store
from desktop.store.records import DONE
from desktop.ui.settings import Settings, default_preferences
from desktop.ui.window import MainWindow
from tests.qtfakes import FAKE_CONFIG, FakeLoader, ok_checker
from tests.reliability.window_process import env_for

REPLY_TOKENS = 300
NO_LIMIT = 1073741823  # SQLite's largest max_page_count


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TANDEM_CACHE_DIR", str(tmp_path / "cache"))


def disk_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # type: ignore[attr-defined]  # SQLITE_FULL, as SQLite sets it
    return error


class FullDisk:
    """A connection whose writes fail as SQLite's do on a full disk while `full` is set."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real
        self.full = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __enter__(self) -> Any:
        return self.real.__enter__()

    def __exit__(self, *exc: object) -> Any:
        return self.real.__exit__(*exc)  # type: ignore[arg-type]

    def _check(self, sql: str) -> None:
        if self.full and sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise disk_full()

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self._check(sql)
        return self.real.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self.real.executemany(sql, rows)


def fill(store: Store) -> None:
    """A real SQLITE_FULL: the database may not grow past the pages it has now."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")


def make_room(store: Store) -> None:
    store._db.execute(f"PRAGMA max_page_count = {NO_LIMIT}")


def saved_messages(path: Path) -> list[tuple[str, str, str]]:
    """(role, status, content) as another program would read them from the file."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT role, status, content FROM messages ORDER BY id").fetchall()
    finally:
        con.close()
    return [(str(r), str(s), str(c)) for r, s, c in rows]


def open_window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    store = Store(tmp_path / "c.sqlite3")
    controller = ChatController(store, PairWorker(loader=FakeLoader(frozenset({41})), checker=ok_checker))
    window = MainWindow(controller, Settings(tmp_path / "s.ini"), default_preferences(), gpu_offload=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(controller.session.pair_loaded, timeout=5000):
        controller.session.load_pair(LoadRequest(FAKE_CONFIG, "fake"))
    controller.session.generation = GenerationConfig(max_tokens=REPLY_TOKENS)
    return window


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    win = open_window(qtbot, tmp_path)
    yield win
    win.controller.shutdown()
    win.controller.chat.store.close()


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    with qtbot.waitSignal(window.controller.chat.reply_finished, timeout=10000):
        window.composer.edit.setPlainText(text)
        window.composer.send.click()


def assert_usable(window: MainWindow) -> None:
    assert window.controller.session.state is UiState.IDLE
    assert window.sidebar.isEnabled() and window.stats.status.text().startswith("Ready")


def test_a_full_disk_mid_conversation_is_said_and_saved_on_retry(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    c = window.controller
    fill(c.chat.store)
    question = "question " + "7" * 6000  # more than the pages left (digits: not tokens for the fake)
    send(qtbot, window, question)
    assert_usable(window)
    user, reply = c.chat.conversation.messages()
    assert user.content == question and reply.status == DONE and len(reply.content) == REPLY_TOKENS
    assert window.notice.isVisible()
    assert "disk full" in window.notice.label.text() and "Free some space" in window.notice.label.text()
    assert window.notice.action.isVisible() and window.notice.action.text() == "Retry save"
    assert saved_messages(tmp_path / "c.sqlite3") == []
    window.notice.action.click()  # still full: the notice comes back
    assert window.notice.isVisible() and "disk full" in window.notice.label.text()
    make_room(c.chat.store)
    with qtbot.waitSignal(c.chat.saving.saved, timeout=1000):
        window.notice.action.click()
    assert saved_messages(tmp_path / "c.sqlite3") == [
        ("user", DONE.value, question),  # the rows as stored: the status as a string
        ("assistant", DONE.value, reply.content),
    ]
    assert "Saved" in window.notice.label.text()


def test_a_message_sent_on_a_full_disk_stays_and_is_saved_with_the_next(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disks: list[FullDisk] = []
    real = sqlite3.connect

    def connect(path: str) -> Any:
        disks.append(FullDisk(real(path)))
        return disks[-1]

    monkeypatch.setattr(db, "connect", connect)
    window = open_window(qtbot, tmp_path)
    c = window.controller
    try:
        disks[0].full = True
        send(qtbot, window, "hello")
        assert_usable(window)
        assert "hello" in window.chat.document().toPlainText()
        assert [m.role for m in c.chat.conversation.messages()] == ["user", "assistant"]
        assert "disk full" in window.notice.label.text()
        assert window.sidebar.isEnabled()
        disks[0].full = False
        with qtbot.waitSignal(c.chat.saving.saved, timeout=10000):
            send(qtbot, window, "again")
        rows = saved_messages(tmp_path / "c.sqlite3")
        assert [(r, s) for r, s, _ in rows] == [("user", DONE.value), ("assistant", DONE.value)] * 2
        assert [text for _, _, text in rows[::2]] == ["hello", "again"]
        assert all(len(text) == REPLY_TOKENS for _, _, text in rows[1::2])
    finally:
        c.shutdown()
        c.chat.store.close()


def test_a_lone_surrogate_in_typed_text_is_replaced_with_a_notice(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.controller.chat.reply_finished, timeout=10000):
        window._send("broken \ud83d emoji")  # the slot itself: Qt drops a lone surrogate on emit
    assert window.controller.chat.conversation.messages()[0].content == "broken ? emoji"
    assert "could not be read" in window.notice.label.text()


def test_writes_wait_in_order_on_a_full_disk_and_keep_their_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    first = store.create("first")
    fill(store)
    big = "x" * 20000
    second = store.create("second")
    message = store.add_message(second.id, "user", big, DONE)
    store.rename(first.id, "renamed")
    assert store.failure is not None and "disk full" in store.failure
    assert store.unsaved == 2  # the message, and the rename queued behind it
    assert [i.title for i in store.conversations()] == ["second", "first"]
    assert store.messages(second.id) == []
    make_room(store)
    assert store.flush() and store.failure is None and store.unsaved == 0
    assert [i.title for i in store.conversations()] == ["second", "renamed"]
    assert store.messages(second.id)[0].id == message.id
    assert store.messages(second.id)[0].content == big
    store.close()


def test_a_write_that_can_never_succeed_does_not_block_the_rest(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.sqlite3")
    info = store.create("chat")
    store.add_message(info.id, "user", "bad \ud800", DONE)  # SQLite refuses lone surrogates
    assert store.failure is not None and store.unsaved == 0
    store.add_message(info.id, "user", "good", DONE)
    assert store.failure is None
    assert [m.content for m in store.messages(info.id)] == ["good"]
    store.close()


WRITE_PAST_THE_LIMIT = """
import json, os, resource, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from desktop.store.db import Store
from desktop.store.records import DONE
from desktop.ui.interrupts import Interrupts

app = QCoreApplication([])
interrupts = Interrupts()  # as the app does: a file-size limit must fail a write, not kill
path = Path(sys.argv[1])
store = Store(path)
info = store.create("chat")
store.add_message(info.id, "user", "small", DONE)
sizes = [p.stat().st_size for p in path.parent.iterdir()]
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (max(sizes) + 8192, hard))
store.add_message(info.id, "user", "big " + "b" * 200000, DONE)
failed = store.failure
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
flushed = store.flush()
print(json.dumps({"failed": failed, "flushed": flushed, "messages": len(store.messages(info.id))}))
"""


def test_a_file_size_limit_fails_the_write_and_it_is_saved_later(tmp_path: Path) -> None:
    """A real failing write: RLIMIT_FSIZE (ulimit -f) in a child process."""
    r = subprocess.run(
        [sys.executable, "-c", WRITE_PAST_THE_LIMIT, str(tmp_path / "data" / "c.sqlite3")],
        env=env_for(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["failed"] and "Could not save the conversation" in result["failed"]
    assert result["flushed"] and result["messages"] == 2
