"""Models that ship inside an offline edition of the app: found in place, read-only, never copied.

The package carries the files and a manifest (`bundled.json`: name, size, sha256 of each file,
hashed against the catalog when the package was built). The install folder is never written to,
so no sidecars: a file counts as present while its size matches the manifest; `tandem models
verify` hashes the data folder's copies, and the package manager guards the installed ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from desktop.models.paths import bundled_models_dir

MANIFEST = "bundled.json"


@dataclass(frozen=True, slots=True)
class BundledFile:
    """A model file inside the package."""

    name: str
    path: Path
    size: int
    sha256: str


def bundled_files(directory: Path | None = None) -> tuple[BundledFile, ...]:
    """The manifest's files that are present with their recorded size; () without a bundle."""
    root = directory if directory is not None else bundled_models_dir()
    if root is None:
        return ()
    try:
        entries = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    found = []
    for entry in entries:
        try:
            path = root / str(entry["name"])
            size = int(entry["size"])
            if path.is_file() and path.stat().st_size == size:
                found.append(BundledFile(path.name, path, size, str(entry["sha256"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return tuple(found)


def bundled_path(name: str, directory: Path | None = None) -> Path | None:
    """The bundled copy of catalog file `name`, or None."""
    return next((f.path for f in bundled_files(directory) if f.name == name), None)


def write_manifest(root: Path, files: list[BundledFile]) -> None:
    """Record `files` (already copied into `root`) as the bundle's manifest."""
    entries = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in files]
    (root / MANIFEST).write_text(json.dumps({"files": entries}, indent=1) + "\n", encoding="utf-8")
