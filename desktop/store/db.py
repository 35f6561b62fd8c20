"""Conversations in SQLite (WAL): messages, and every reply's steps as they arrive.

Steps are written while a reply streams, so a crash loses only the unsaved tail; on open, a
reply still marked streaming is marked stopped. Deleting is soft until `purge_deleted`, so the
window can offer Undo. One connection, used only by the thread that opened it (the GUI thread).

Writes never raise: one that fails (disk full) stays queued and is saved with the next write or
`flush`; `failure` says why it failed. Ids are handed out here, not by SQLite, so a message that
could not be saved yet still has the id it will be saved under.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from desktop.engine.events import FinishReason, GenerationStats, StepEvent
from desktop.store.migrations import migrate
from desktop.store.records import (
    STOPPED,
    STREAMING,
    ChatMessage,
    ConversationInfo,
    MessageStatus,
    baseline_from_json,
    finish_reason_from,
    stats_from_json,
    stats_to_json,
    status_from,
    step_from_json,
    step_to_json,
)
from desktop.store.writes import Statement, WriteQueue

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a reply id names one reply for good
    conversation INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    finish_reason TEXT,
    stats TEXT,
    pair TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (message, idx)
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation, id);
"""


def default_path() -> Path:
    """conversations.sqlite3 in Tandem's data folder (TANDEM_DATA_DIR in tests)."""
    from desktop.models.paths import data_dir

    return data_dir() / "conversations.sqlite3"


def connect(path: str) -> sqlite3.Connection:
    """The one place a database file is opened (tests swap it to simulate a read-only disk)."""
    return sqlite3.connect(path)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Store:
    """The conversation database; ":memory:" gives a throwaway one.

    Opening raises `sqlite3.Error` for a damaged or unwritable file: `desktop.store.recovery`
    decides what to do then.
    """

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.persistent = self.path != ":memory:"
        self._db = connect(self.path)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps commits atomic without an fsync each
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._db:
                self._db.executescript(SCHEMA)
            migrate(self._db)
            self.recovered = self.mark_interrupted()
            self._ids = {table: self._last_id(table) for table in ("conversations", "messages")}
        except BaseException:
            self._db.close()
            raise
        self._writes = WriteQueue(self._db)

    def close(self) -> None:
        self._db.close()

    def mark_interrupted(self) -> int:
        """Mark replies left streaming by a crash or kill as stopped; return how many."""
        with self._db:
            cur = self._db.execute(
                "UPDATE messages SET status = ?, finish_reason = ? WHERE status = ?",
                (STOPPED.value, FinishReason.INTERRUPTED.value, STREAMING.value),
            )
        return cur.rowcount

    def _last_id(self, table: str) -> int:
        """The highest id ever given in `table` (AUTOINCREMENT's counter, or a row's own)."""
        seq = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        top = self._db.execute(f"SELECT max(id) FROM {table}").fetchone()
        return max(int(seq[0]) if seq else 0, int(top[0] or 0))

    def _new_id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def check(self) -> str:
        """SQLite's quick check of every page: "ok", or the first problem it found."""
        return str(self._db.execute("PRAGMA quick_check(1)").fetchone()[0])

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Add rows as they are, ids included (recovery copies an old database in)."""
        names, marks = ", ".join(columns), ", ".join("?" * len(columns))
        with self._db:
            self._db.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", rows)
        if table in self._ids:
            self._ids[table] = self._last_id(table)

    # -- saving -------------------------------------------------------------------------

    @property
    def failure(self) -> str | None:
        """Why the last write failed, in one line for the window; None once writes succeed."""
        return self._writes.failure

    @property
    def error(self) -> Exception | None:
        """The exception behind `failure`."""
        return self._writes.error

    @property
    def unsaved(self) -> int:
        """Writes waiting for the disk (each a transaction)."""
        return len(self._writes)

    def flush(self) -> bool:
        """Try the unsaved writes again; True when nothing is left unsaved."""
        return self._writes.flush()

    def _write(self, sql: str, params: Sequence[object], *more: Statement) -> None:
        self._writes.write(Statement(sql, params), *more)

    # -- conversations ------------------------------------------------------------------

    def conversations(self, search: str = "") -> list[ConversationInfo]:
        """Newest first; `search` matches titles and message text, case-insensitively."""
        if search.strip():
            pattern = _like(search.strip())
            rows = self._db.execute(
                "SELECT id, title, updated, system_prompt FROM conversations c WHERE deleted = 0 AND ("
                " title LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                " WHERE m.conversation = c.id AND m.content LIKE ?1 ESCAPE '\\'))"
                " ORDER BY updated DESC, id DESC",
                (pattern,),
            )
        else:
            rows = self._db.execute(
                "SELECT id, title, updated, system_prompt FROM conversations WHERE deleted = 0"
                " ORDER BY updated DESC, id DESC"
            )
        return [ConversationInfo(*row) for row in rows]

    def conversation(self, cid: int) -> ConversationInfo | None:
        row = self._db.execute(
            "SELECT id, title, updated, system_prompt FROM conversations WHERE id = ? AND deleted = 0",
            (cid,),
        ).fetchone()
        return ConversationInfo(*row) if row else None

    def create(self, title: str, system_prompt: str = "") -> ConversationInfo:
        now, cid = time.time(), self._new_id("conversations")
        self._write(
            "INSERT INTO conversations (id, title, created, updated, system_prompt) VALUES (?, ?, ?, ?, ?)",
            (cid, title, now, now, system_prompt),
        )
        return ConversationInfo(cid, title, now, system_prompt)

    def set_system_prompt(self, cid: int, text: str) -> None:
        """The instructions every reply in this conversation starts from ("" for none)."""
        self._write("UPDATE conversations SET system_prompt = ? WHERE id = ?", (text, cid))

    def rename(self, cid: int, title: str) -> None:
        self._write("UPDATE conversations SET title = ? WHERE id = ?", (title, cid))

    def delete(self, cid: int) -> None:
        """Hide a conversation; `undelete` brings it back until `purge_deleted` runs."""
        self._write("UPDATE conversations SET deleted = 1 WHERE id = ?", (cid,))

    def undelete(self, cid: int) -> None:
        self._write("UPDATE conversations SET deleted = 0 WHERE id = ?", (cid,))

    def purge_deleted(self) -> None:
        self._write("DELETE FROM conversations WHERE deleted = 1", ())

    @staticmethod
    def _touch(cid: int) -> Statement:
        return Statement("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), cid))

    # -- messages -----------------------------------------------------------------------

    def messages(self, cid: int) -> list[ChatMessage]:
        """A conversation's shown messages in order, replies with their steps and variants."""
        steps: dict[int, list[StepEvent]] = {}
        for mid, data in self._db.execute(
            "SELECT s.message, s.data FROM steps s JOIN messages m ON m.id = s.message"
            " WHERE m.conversation = ? AND m.hidden = 0 ORDER BY s.message, s.idx",
            (cid,),
        ):
            steps.setdefault(mid, []).append(step_from_json(data))
        groups: dict[int, list[int]] = {}
        for group, mid in self._db.execute(
            "SELECT variant_group, id FROM messages WHERE conversation = ? AND variant_group IS NOT NULL"
            " ORDER BY id",
            (cid,),
        ):
            groups.setdefault(group, []).append(mid)
        # A group sits where its first reply was, whichever of its variants is shown.
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation = ? AND hidden = 0"
            " ORDER BY coalesce(variant_group, id), id",
            (cid,),
        )
        return [_message(row, steps.get(row[0], ()), groups) for row in rows]

    def message(self, mid: int) -> ChatMessage | None:
        """One message by id, shown or not (a variant), with its steps and variants."""
        row = self._db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (mid,)).fetchone()
        if row is None:
            return None
        steps = [
            step_from_json(d)
            for (d,) in self._db.execute("SELECT data FROM steps WHERE message = ? ORDER BY idx", (mid,))
        ]
        groups: dict[int, list[int]] = {}
        if row[-1] is not None:
            groups[row[-1]] = [
                i
                for (i,) in self._db.execute(
                    "SELECT id FROM messages WHERE variant_group = ? ORDER BY id", (row[-1],)
                )
            ]
        return _message(row, steps, groups)

    def add_message(
        self,
        cid: int,
        role: str,
        content: str,
        status: MessageStatus,
        pair: str = "",
        variant_of: tuple[int, ...] = (),
    ) -> ChatMessage:
        """A new message; `variant_of` (the earlier replies it joins) makes it their new variant,
        shown instead of them."""
        mid = self._new_id("messages")
        group = variant_of[0] if variant_of else None
        more = (
            [
                Statement(
                    "UPDATE messages SET variant_group = ?, hidden = 1 WHERE id = ?",
                    [(group, i) for i in variant_of],
                    many=True,
                )
            ]
            if variant_of
            else []
        )
        self._write(
            "INSERT INTO messages (id, conversation, role, content, status, pair, created, variant_group)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (mid, cid, role, content, status.value, pair, time.time(), group),
            *more,
            self._touch(cid),
        )
        variants = (*variant_of, mid) if variant_of else ()
        return ChatMessage(mid, role, content, status=status, pair=pair, variants=variants)

    def reopen_message(self, mid: int) -> None:
        """Mark a finished reply streaming again: Continue extends it."""
        self._write("UPDATE messages SET status = ? WHERE id = ?", (STREAMING.value, mid))

    def show_variant(self, group: int, mid: int) -> None:
        """Show reply `mid` of a variant group and hide the others."""
        self._write("UPDATE messages SET hidden = (id != ?) WHERE variant_group = ?", (mid, group))

    def append_steps(self, mid: int, steps: Sequence[StepEvent]) -> None:
        """Save more steps of a streaming reply and extend its text, in one transaction."""
        if not steps:
            return
        self._write(
            "UPDATE messages SET content = content || ? WHERE id = ?",
            ("".join(s.text for s in steps), mid),
            Statement(
                "INSERT OR REPLACE INTO steps (message, idx, data) VALUES (?, ?, ?)",
                [(mid, s.index, step_to_json(s)) for s in steps],
                many=True,
            ),
        )

    def finish_message(
        self,
        mid: int,
        status: MessageStatus,
        finish_reason: FinishReason | None,
        stats: GenerationStats | None,
        verifier_alone_tps: float = 0.0,
    ) -> None:
        """Close a reply with its numbers and the verifier-alone speed they compare against."""
        self._write(
            "UPDATE messages SET status = ?, finish_reason = ?, stats = ? WHERE id = ?",
            (
                status.value,
                finish_reason.value if finish_reason else None,
                stats_to_json(stats, verifier_alone_tps),
                mid,
            ),
            Statement(
                "UPDATE conversations SET updated = ?"
                " WHERE id = (SELECT conversation FROM messages WHERE id = ?)",
                (time.time(), mid),
            ),
        )

    def remove_messages(self, ids: Sequence[int]) -> None:
        self._writes.write(Statement("DELETE FROM messages WHERE id = ?", [(i,) for i in ids], many=True))

    def journal_mode(self) -> str:
        return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])


_MESSAGE_COLUMNS = "id, role, content, status, finish_reason, stats, pair, variant_group"


def _message(row: Sequence[object], steps: Sequence[StepEvent], groups: dict[int, list[int]]) -> ChatMessage:
    mid, role, content, status, finish, st, pair, group = row
    assert isinstance(mid, int) and isinstance(st, str | None)
    return ChatMessage(
        mid,
        str(role),
        str(content),
        tuple(steps),
        status_from(str(status)),
        finish_reason_from(None if finish is None else str(finish)),
        stats_from_json(st),
        str(pair),
        baseline_from_json(st),
        tuple(groups.get(group, ())) if isinstance(group, int) else (),
    )
