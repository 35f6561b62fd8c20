"""Opening the conversation database whatever state it is in.

A damaged file (not a database, truncated, a folder in its place) is moved aside as
`conversations.sqlite3.damaged-YYYYmmdd-HHMMSS`, whatever rows still read are copied into a
fresh database, and the window says so. A file Tandem cannot write (a read-only folder) gives
a read-only session: the history is copied into memory and new chats are not saved.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from desktop.store.db import Store
from desktop.store.writes import SQLITE_CORRUPT, SQLITE_NOTADB, TRANSIENT, cause, code, remedy

# The columns recovery copies, parents first so a child never lands without its parent.
TABLES = {
    "conversations": ("id", "title", "created", "updated", "deleted"),
    "messages": (
        "id",
        "conversation",
        "role",
        "content",
        "status",
        "finish_reason",
        "stats",
        "pair",
        "created",
    ),
    "steps": ("message", "idx", "data"),
}
HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class Opened:
    """The store to use, and what the window should tell the user about it ("" when all is well)."""

    store: Store
    notice: str = ""


def open_store(path: Path) -> Opened:
    """The store at `path`; never raises for a damaged, unreadable or unwritable file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return _in_memory(f"Tandem cannot create its data folder {path.parent} ({e.strerror or e}).")
    if path.exists() and not path.is_file():
        return _set_aside(path, "it is not a file")
    try:
        store = Store(path)
    except sqlite3.Error as e:
        if code(e) in TRANSIENT and code(e) not in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return _read_only(path, e)
        return _set_aside(path, str(e))
    try:
        verdict = store.check()
    except sqlite3.Error as e:
        verdict = str(e)
    if verdict != "ok":
        store.close()
        return _set_aside(path, verdict.splitlines()[0])
    return Opened(store)


def _in_memory(why: str) -> Opened:
    return Opened(Store(":memory:"), f"{why} Chats in this session will not be saved.")


def _read_only(path: Path, error: sqlite3.Error) -> Opened:
    store = Store(":memory:")
    n = salvage(path, store)
    return Opened(
        store,
        f"Tandem cannot write to {path}: {cause(error)}. Your {n} conversations are shown, but chats "
        f"in this session will not be saved. {remedy(error)} and restart Tandem.",
    )


def _set_aside(path: Path, why: str) -> Opened:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        aside, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    try:
        path.rename(aside)
    except OSError as e:
        return _in_memory(
            f"The conversation database {path} is damaged ({why}) and could not be moved aside "
            f"({e.strerror or e})."
        )
    for suffix in ("-wal", "-shm"):  # SQLite finds them by name: they travel with the file
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").rename(f"{aside}{suffix}")
    try:
        store = Store(path)
    except sqlite3.Error as e:
        return _in_memory(
            f"The conversation database was damaged and moved to {aside}; a new one could not "
            f"be made: {cause(e)}."
        )
    n = salvage(aside, store) if aside.is_file() else 0
    return Opened(
        store,
        f"The conversation database was damaged ({why}). Tandem moved it to {aside} and started a new one; "
        f"{n} conversations were recovered from it.",
    )


def salvage(source: Path, store: Store) -> int:
    """Copy whatever rows still read from `source` into `store`; the conversations recovered."""
    with tempfile.TemporaryDirectory(prefix="tandem-recover-") as folder:
        copy = Path(folder) / "copy.sqlite3"
        try:
            _readable_copy(source, copy)
            db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        except (OSError, sqlite3.Error):
            return 0
        try:
            rows = {table: _rows(db, table, columns) for table, columns in TABLES.items()}
        finally:
            db.close()
    conversations = {r[0] for r in rows["conversations"]}
    messages = [r for r in rows["messages"] if r[1] in conversations]
    replies = {r[0] for r in messages}
    try:
        store.insert_rows("conversations", TABLES["conversations"], rows["conversations"])
        store.insert_rows("messages", TABLES["messages"], messages)
        store.insert_rows("steps", TABLES["steps"], [r for r in rows["steps"] if r[0] in replies])
        store.mark_interrupted()
    except sqlite3.Error:
        return 0
    return len(store.conversations())


def _readable_copy(source: Path, copy: Path) -> None:
    """Copy the file (and its WAL); a truncated file gets a header that matches what is left."""
    shutil.copyfile(source, copy)
    with contextlib.suppress(OSError):
        shutil.copyfile(f"{source}-wal", f"{copy}-wal")
    with copy.open("r+b") as f:
        head = f.read(100)
        if len(head) < 100 or not head.startswith(HEADER):
            raise OSError("not an SQLite file")
        size = struct.unpack(">H", head[16:18])[0]
        page = 65536 if size == 1 else size
        pages = copy.stat().st_size // page
        if pages < struct.unpack(">I", head[28:32])[0]:  # SQLite refuses every page of such a file
            f.truncate(pages * page)
            f.seek(28)
            f.write(struct.pack(">I", pages))


def _rows(db: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    """Every row that reads: forwards until a damaged page, then backwards to meet it."""
    names = ", ".join(columns)
    rows: list[tuple[object, ...]] = []
    last = None
    with contextlib.suppress(sqlite3.Error):
        for row in db.execute(f"SELECT rowid, {names} FROM {table} ORDER BY rowid"):
            rows.append(row[1:])
            last = row[0]
    with contextlib.suppress(sqlite3.Error):
        query = f"SELECT {names} FROM {table} WHERE rowid > ? ORDER BY rowid DESC"
        for row in db.execute(query, (last if last is not None else -(2**63),)):
            rows.append(row)
    return rows
