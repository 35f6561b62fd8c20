"""The user's past replies for history drafting, read on the worker thread.

Its own read-only connection: the store's connection belongs to the GUI thread, and reading
past replies must never write (or lock) the conversations file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.engine.events import Origin
from desktop.engine.suffix_history import MAX_REPLIES, PastText

QUERY = """
SELECT m.content, c.title, m.created FROM messages m JOIN conversations c ON c.id = m.conversation
WHERE m.role = 'assistant' AND m.status = 'done' AND c.deleted = 0 AND m.content != ''
ORDER BY m.id DESC LIMIT ?
"""


def past_replies(path: str | Path, limit: int = MAX_REPLIES) -> list[PastText]:
    """The newest finished replies in conversations not deleted, newest first; [] when the
    file is missing or cannot be read (history drafting is a bonus, never an error)."""
    if not Path(path).is_file():
        return []
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        rows = db.execute(QUERY, (limit,)).fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    return [PastText(str(text), Origin(str(title), float(created))) for text, title, created in rows]
