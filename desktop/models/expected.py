"""The sha256 an installed catalog file must have, wherever that is written down.

A mirrored file's is in the catalog. A Hub-only file's is the Hub's LFS sha256, unknown offline:
the download checks it and records it in ``<file>.source.json``. A draft made here has the hash
recorded when it was made, in its ``.sha256`` sidecar.
"""

from __future__ import annotations

import json
from pathlib import Path

from desktop.models.catalog import CatalogFile, ModelFile
from desktop.models.integrity import read_sidecar


def source_record(path: Path) -> dict[str, object] | None:
    """What a Hub download recorded about `path` (repo, path, commit, size, sha256), or None."""
    try:
        record = json.loads(path.with_name(path.name + ".source.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def expected_sha256(path: Path, entry: CatalogFile) -> str | None:
    """The hash `path` must have to count as `entry`; None when nothing records one."""
    if isinstance(entry, ModelFile):
        if entry.sha256 is not None:
            return entry.sha256
        record = source_record(path)
        sha = record.get("sha256") if record else None
        return sha if isinstance(sha, str) else None
    recorded = read_sidecar(path)
    return recorded.sha256 if recorded is not None else None
