"""Deleting a model Tandem installed: the file, every part of a split model, and their records.

Only files inside Tandem's models folder are ever deleted; another app's file (LM Studio's,
Ollama's…) is refused even when a link to it sits in that folder, and only the link goes.
"""

from __future__ import annotations

import re
from pathlib import Path

from desktop.models.errors import NotRemovableError
from desktop.models.library import glob_escape
from desktop.models.paths import models_dir

_SPLIT = re.compile(r"^(?P<stem>.*)-\d{5}-of-(?P<count>\d{5})\.gguf$")
# What a download or a fetch writes next to a model (see download.py and integrity.py).
RECORDS = (".sha256", ".source.json", ".partial", ".partial.json", ".corrupt")


def _parts(path: Path) -> list[Path]:
    m = _SPLIT.match(path.name)
    if not m:
        return [path]
    return sorted(path.parent.glob(f"{glob_escape(m['stem'])}-?????-of-{m['count']}.gguf"))


def removable(path: Path, root: Path | None = None) -> bool:
    """Whether `path` lies in Tandem's models folder (the folder itself resolved, the file not)."""
    folder = (root or models_dir()).resolve()
    try:
        return path.parent.resolve().is_relative_to(folder)
    except OSError:
        return False


def remove_model(path: Path, root: Path | None = None) -> tuple[Path, ...]:
    """Delete the model at `path` (a file Tandem installed) with its records; returns what went.

    A link is removed, never what it points at. Emptied ``<owner>/<repo>`` folders go too.
    """
    folder = (root or models_dir()).resolve()
    if not removable(path, folder):
        raise NotRemovableError(
            f"{path} was not installed by Tandem, so Tandem does not delete it; remove it in its own app"
        )
    gone = []
    for part in _parts(path):
        for item in (part, *(part.with_name(part.name + suffix) for suffix in RECORDS)):
            if item.is_symlink() or item.is_file():
                item.unlink()
                gone.append(item)
    parent = path.parent.resolve()
    while parent != folder and parent.is_relative_to(folder) and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
    return tuple(gone)
