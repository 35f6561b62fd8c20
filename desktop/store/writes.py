"""Writes that survive a full disk: each is queued, tried in order, and kept until it succeeds.

A write that fails for a reason that can pass (disk full, an I/O error, a read-only or busy
file) stays queued and is tried again before the next write, so a turn typed while the disk
was full is saved as soon as there is room. A write that can never succeed (a broken
constraint) is dropped so it cannot block the ones behind it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26

# What happened, and what the user can do about it, per result code.
CAUSES: dict[int, tuple[str, str]] = {
    SQLITE_FULL: ("disk full", "Free some space"),
    SQLITE_IOERR: ("write error", "Check the disk"),
    SQLITE_READONLY: ("the file is read-only", "Check that Tandem may write to its data folder"),
    SQLITE_CANTOPEN: ("the file cannot be opened", "Check that Tandem may write to its data folder"),
    SQLITE_PERM: ("permission denied", "Check that Tandem may write to its data folder"),
    SQLITE_BUSY: ("the database is busy", "Close other programs using it"),
    SQLITE_LOCKED: ("the database is locked", "Close other programs using it"),
    SQLITE_NOMEM: ("out of memory", "Close other programs"),
    SQLITE_CORRUPT: ("the database is damaged", "Restart Tandem to set it aside"),
    SQLITE_NOTADB: ("the database is damaged", "Restart Tandem to set it aside"),
}
TRANSIENT = frozenset(
    {SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED}
    | {SQLITE_NOMEM}
)


def code(error: Exception) -> int:
    """The primary result code, or 0 when the error carries none (raised outside SQLite)."""
    return int(getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def cause(error: Exception) -> str:
    """What happened, in words: "disk full (database or disk is full)"."""
    what = CAUSES.get(code(error), ("database error", ""))[0]
    return f"{what} ({error})"


def remedy(error: Exception) -> str:
    return CAUSES.get(code(error), ("", "Check the disk"))[1]


def describe(error: Exception) -> str:
    """One line for the window: what failed, why, and what to do."""
    return (
        f"Could not save the conversation: {cause(error)}. {remedy(error)}; Tandem saves it again "
        "with your next message, or click Retry save."
    )


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement of a queued transaction, with its parameters."""

    sql: str
    params: Sequence[Any]
    many: bool = False  # params is a sequence of rows for executemany


class WriteQueue:
    """Transactions waiting to reach the database, oldest first."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._pending: list[tuple[Statement, ...]] = []
        self.error: Exception | None = None  # why the last attempt failed; None once it succeeded

    @property
    def failure(self) -> str | None:
        """The last failure in one line for the window."""
        return describe(self.error) if self.error is not None else None

    def __len__(self) -> int:
        return len(self._pending)

    def write(self, *statements: Statement) -> bool:
        """Queue one transaction behind any unsaved ones and try them all; True when all saved."""
        self._pending.append(statements)
        return self.flush()

    def flush(self) -> bool:
        """Try every waiting transaction in order; stop at the first that fails for now."""
        error: Exception | None = None
        while self._pending:
            try:
                for s in self._pending[0]:
                    if s.many:
                        self._db.executemany(s.sql, s.params)
                    else:
                        self._db.execute(s.sql, s.params)
                self._db.commit()
            except (sqlite3.Error, ValueError, OverflowError) as e:  # the last two: values SQLite refused
                with contextlib.suppress(sqlite3.Error):
                    self._db.rollback()
                error = e
                if code(e) in TRANSIENT:
                    break
            self._pending.pop(0)  # saved, or a write that can never succeed
        self.error = error
        return not self._pending
