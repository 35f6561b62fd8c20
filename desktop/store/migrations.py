"""Schema changes since the first release, applied in order when a database is opened.

`PRAGMA user_version` counts the migrations a file has had; a new file gets the first schema
and then every migration, so old and new files always end up with the same columns.
"""

from __future__ import annotations

import sqlite3

# Each entry is one version step; never edit a shipped one, only append.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: a system prompt per conversation; earlier replies kept as variants of a regenerated one.
    (
        "ALTER TABLE conversations ADD COLUMN system_prompt TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE messages ADD COLUMN variant_group INTEGER",  # id of the group's first reply
        "ALTER TABLE messages ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0",  # a variant not shown
    ),
)
VERSION = len(MIGRATIONS)


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> int:
    """Bring `db` up to `VERSION`, one transaction per step; return the version it had."""
    start = version(db)
    for number in range(start, VERSION):
        with db:
            for sql in MIGRATIONS[number]:
                db.execute(sql)
            db.execute(f"PRAGMA user_version = {number + 1}")
    return start
