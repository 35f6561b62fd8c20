"""`tandem models verify`: hash every installed file again and compare it with what it should be.

A file's size and mtime survive bit rot, so only reading every byte finds it. A catalog file is
compared with its published sha256 (for a Hub-only file, the Hub's, recorded at download); a
locally made draft with the hash recorded when it was made.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from desktop.models.catalog import CATALOG, Catalog, CatalogFile
from desktop.models.expected import expected_sha256
from desktop.models.integrity import (
    Progress,
    remove_sidecar,
    sha256_file,
    write_sidecar,
)
from desktop.models.paths import models_dir

ALL = "all"


class Verdict(enum.Enum):
    """What hashing one file found."""

    OK = "OK"
    MISMATCH = "MISMATCH"
    MISSING = "MISSING"


@dataclass(frozen=True)
class FileCheck:
    """One file's verdict, and the pairs that use it (the ones to fetch again to repair it)."""

    name: str
    path: Path
    verdict: Verdict
    pairs: tuple[str, ...]
    detail: str = ""


def check_file(
    path: Path, entry: CatalogFile, pairs: tuple[str, ...], progress: Progress | None
) -> FileCheck:
    """Hash `path`; record the time on success, forget the hash on a mismatch so a fetch repairs it."""
    if not path.is_file():
        return FileCheck(entry.name, path, Verdict.MISSING, pairs)
    expected = expected_sha256(path, entry)
    actual = sha256_file(path, progress, f"verify {entry.name}")
    if actual != expected:
        remove_sidecar(path)
        detail = f"expected sha256 {expected or '(none recorded)'}, got {actual}"
        return FileCheck(entry.name, path, Verdict.MISMATCH, pairs, detail)
    write_sidecar(path, actual)
    return FileCheck(entry.name, path, Verdict.OK, pairs)


def verify(
    which: str = ALL,
    progress: Progress | None = None,
    catalog: Catalog = CATALOG,
    directory: Path | None = None,
) -> tuple[FileCheck, ...]:
    """Check the files of pair `which`, or with "all" every catalog file that is installed."""
    root = directory or models_dir()
    if which == ALL:
        names = [f.name for f in catalog.files if (root / f.name).is_file()]
    else:
        pair = catalog.pair(which)
        names = [pair.verifier, pair.draft]
    checks = []
    for name in names:
        users = tuple(p.name for p in catalog.pairs if name in (p.verifier, p.draft))
        checks.append(check_file(root / name, catalog.file(name), users, progress))
    return tuple(checks)
