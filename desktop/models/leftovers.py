"""Partial downloads left behind by a fetch that was killed, and their clean-up.

A fetch writes ``<name>.partial`` and renames it into place, deleting it on any error; only a
killed process leaves one behind, possibly a gigabyte. A live fetch writes its partial every few
milliseconds, so one untouched for `STALE_AFTER_S` belongs to a dead fetch and is removed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

STALE_AFTER_S = 10 * 60


@dataclass(frozen=True)
class Leftover:
    """A ``.partial`` file found in the models folder, and whether it was removed."""

    path: Path
    size: int
    removed: bool

    def describe(self) -> str:
        """One line for `tandem models list`."""
        what = "removed" if self.removed else "a fetch may still be writing it; left alone"
        return f"leftover partial download {self.path.name}: {self.size / 1e6:,.1f} MB, {what}"


def clean_partials(directory: Path, stale_after_s: float = STALE_AFTER_S) -> tuple[Leftover, ...]:
    """Remove the stale ``*.partial`` files in `directory`; report every partial found."""
    found = []
    now = time.time()
    for path in sorted(directory.glob("*.partial")):
        try:
            st = path.stat()
        except OSError:
            continue  # a fetch finished and renamed it meanwhile
        stale = now - st.st_mtime > stale_after_s
        if stale:
            try:
                path.unlink()
            except OSError:
                stale = False
        found.append(Leftover(path, st.st_size, stale))
    return tuple(found)
