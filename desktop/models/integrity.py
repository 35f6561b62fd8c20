"""Hashing model files, and the ``.sha256`` sidecars that make a second check instant.

A sidecar records the sha256 together with the file's size and mtime when it was hashed, and
when it was last hashed. While size and mtime still match, the file is taken to be unchanged and
is not read again; but bit rot keeps both, so a fetch re-hashes once the last check is old
(`REVERIFY_AFTER_S`), and `tandem models verify` always does.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
GGUF_MAGIC = b"GGUF"
REVERIFY_AFTER_S = 30 * 24 * 3600  # a fetch re-hashes files last checked longer ago than this

Progress = Callable[[str, int, int], None]
"""Called as ``progress(label, done_bytes, total_bytes)``."""


@dataclass(frozen=True)
class Sidecar:
    """What a ``<file>.sha256`` sidecar records about the file it sits next to."""

    sha256: str
    size: int
    mtime_ns: int
    verified_at: float = 0.0  # when the file was last hashed (Unix time); 0 in old sidecars


def sidecar_path(path: Path) -> Path:
    """The sidecar of `path`: the same name with ``.sha256`` appended."""
    return path.with_name(path.name + ".sha256")


def partial_path(path: Path) -> Path:
    """The temporary name a file is written under before it is renamed into place."""
    return path.with_name(path.name + ".partial")


def sha256_file(path: Path, progress: Progress | None = None, label: str = "") -> str:
    """Hash `path` in 1 MiB chunks, reporting progress under `label`."""
    total = path.stat().st_size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(label, done, total)
    return digest.hexdigest()


def write_sidecar(path: Path, sha256: str, verified_at: float | None = None) -> None:
    """Record `sha256` for `path` as it is now (size and mtime), hashed at `verified_at`
    (default: now), replacing any older sidecar.
    """
    st = path.stat()
    record = {
        "sha256": sha256,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "verified_at": time.time() if verified_at is None else verified_at,
    }
    target = sidecar_path(path)
    tmp = partial_path(target)
    tmp.write_text(json.dumps(record) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def read_sidecar(path: Path) -> Sidecar | None:
    """The sidecar of `path`, or None if it is missing or unreadable."""
    try:
        record = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
        return Sidecar(
            str(record["sha256"]),
            int(record["size"]),
            int(record["mtime_ns"]),
            float(record.get("verified_at", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recorded_sha256(path: Path, max_age_s: float | None = None) -> str | None:
    """The sidecar's hash if it still describes `path` (same size and mtime) and, with
    `max_age_s`, was checked no longer ago than that; otherwise None (hash the file again).
    """
    try:
        st = path.stat()
    except OSError:
        return None
    record = read_sidecar(path)
    if record is None or record.size != st.st_size or record.mtime_ns != st.st_mtime_ns:
        return None
    if max_age_s is not None and time.time() - record.verified_at > max_age_s:
        return None
    return record.sha256


def remove_sidecar(path: Path) -> None:
    """Forget the recorded hash of `path`, so the next fetch checks it (and repairs it) again."""
    sidecar_path(path).unlink(missing_ok=True)


def is_gguf(path: Path) -> bool:
    """Whether `path` starts with the GGUF magic bytes."""
    try:
        with path.open("rb") as f:
            return f.read(len(GGUF_MAGIC)) == GGUF_MAGIC
    except OSError:
        return False
