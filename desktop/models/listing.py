"""What is installed: catalog files present in the models folder, and which pairs are complete.

Listing never hashes; a file counts as verified when its sidecar still matches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.models.bundled import bundled_files
from desktop.models.catalog import CATALOG, Catalog, CatalogFile, DerivedFile
from desktop.models.errors import NotInstalledError
from desktop.models.expected import expected_sha256
from desktop.models.integrity import is_gguf, recorded_sha256
from desktop.models.paths import models_dir


@dataclass(frozen=True)
class InstalledFile:
    """A catalog file found on disk; `verified` is False when it must be re-checked by a fetch."""

    name: str
    title: str
    path: Path
    size: int
    verified: bool


@dataclass(frozen=True)
class PairStatus:
    """A catalog pair, where its files belong, and which of them are not ready (missing or unverified)."""

    name: str
    title: str
    verifier: Path
    draft: Path
    not_ready: tuple[str, ...]

    @property
    def installed(self) -> bool:
        """Whether both files are present and verified."""
        return not self.not_ready


def _verified(path: Path, entry: CatalogFile) -> bool:
    sha = recorded_sha256(path)
    if isinstance(entry, DerivedFile):
        return sha is not None and is_gguf(path)
    return sha is not None and sha == expected_sha256(path, entry)


def list_models(catalog: Catalog = CATALOG, directory: Path | None = None) -> tuple[InstalledFile, ...]:
    """The catalog files present in `directory` (default: models_dir()), in catalog order."""
    root = directory or models_dir()
    found = []
    for entry in catalog.files:
        path = root / entry.name
        if path.is_file():
            size = path.stat().st_size
            found.append(InstalledFile(entry.name, entry.title, path, size, _verified(path, entry)))
    return tuple(found)


def list_pairs(catalog: Catalog = CATALOG, directory: Path | None = None) -> tuple[PairStatus, ...]:
    """Every catalog pair with its file paths and what is still missing. A file missing from the
    models folder but carried by an offline edition is used where the package put it."""
    root = directory or models_dir()
    ready = {f.name: f.path for f in list_models(catalog, root) if f.verified}
    for bundled in bundled_files():  # the manifest is read once, not once per catalog file
        ready.setdefault(bundled.name, bundled.path)
    return tuple(
        PairStatus(
            pair.name,
            pair.title,
            ready.get(pair.verifier, root / pair.verifier),
            ready.get(pair.draft, root / pair.draft),
            tuple(n for n in (pair.verifier, pair.draft) if n not in ready),
        )
        for pair in catalog.pairs
    )


def installed_pairs(catalog: Catalog = CATALOG, directory: Path | None = None) -> tuple[str, ...]:
    """Names of the pairs whose two files are both present and verified."""
    return tuple(p.name for p in list_pairs(catalog, directory) if p.installed)


def pair_paths(name: str, catalog: Catalog = CATALOG, directory: Path | None = None) -> tuple[Path, Path]:
    """(verifier, draft) paths of an installed pair; NotInstalledError says how to fetch it if not."""
    catalog.pair(name)  # an unknown name raises UnknownModelError here
    status = next(p for p in list_pairs(catalog, directory) if p.name == name)
    if not status.installed:
        raise NotInstalledError(
            f"pair {name!r} is not installed (not ready: {', '.join(status.not_ready)}); "
            f"run: tandem models fetch {name}"
        )
    return status.verifier, status.draft
