"""The model library: every usable GGUF on this machine (Tandem's own and other apps'), described.

A scan stats every file, reads only headers it has not seen (see `gguf_info`), and never copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from desktop.models.app_folders import Location, Source
from desktop.models.catalog import CATALOG
from desktop.models.discover import FoundFile, Skipped, discover
from desktop.models.errors import UnknownModelError
from desktop.models.gguf_info import GgufInfo, InfoCache

_SPLIT = re.compile(r"^(?P<stem>.*)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")


@dataclass(frozen=True)
class LibraryModel:
    """A usable GGUF: `name` as its app shows it, `path` where it was found, `target` what loads."""

    name: str
    source: Source
    path: Path
    target: Path
    size: int  # bytes on disk, every part of a split model included
    info: GgufInfo
    title: str = ""


@dataclass(frozen=True)
class Library:
    """What a scan found: usable models, refused files with reasons, and the folders searched."""

    models: tuple[LibraryModel, ...]
    skipped: tuple[Skipped, ...]
    searched: tuple[Location, ...]

    def find(self, query: str) -> LibraryModel:
        """The model `query` names: a path, an exact name, or a part of exactly one name."""
        path = Path(query).expanduser()
        if path.is_file():
            target = path.resolve()
            return next((m for m in self.models if m.target == target), None) or describe_file(path)
        for pick in (lambda m: m.name == query, lambda m: query.lower() in m.name.lower()):
            hits = [m for m in self.models if pick(m)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                names = ", ".join(m.name for m in hits[:5])
                raise UnknownModelError(f"{query!r} matches several models ({names}); give more of the name")
        raise UnknownModelError(f"no model called {query!r}; see: tandem models list")


def _size(target: Path) -> int:
    m = _SPLIT.match(target.name)
    if not m:
        return target.stat().st_size
    parts = target.parent.glob(f"{glob_escape(m['stem'])}-?????-of-{m['count']}.gguf")
    return sum(p.stat().st_size for p in parts)


def glob_escape(text: str) -> str:
    """`text` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _title(found: FoundFile) -> str:
    if found.source not in (Source.TANDEM, Source.BUNDLED):
        return ""
    return next((f.title for f in CATALOG.files if f.name == found.name), "")


def _model(found: FoundFile, cache: InfoCache) -> LibraryModel | Skipped:
    try:
        info = cache.info(found.target)
    except OSError as e:
        return Skipped(found.name, found.source, found.path, f"cannot be read ({e.strerror or e})")
    if isinstance(info, str):
        return Skipped(found.name, found.source, found.path, info)
    return LibraryModel(
        found.name, found.source, found.path, found.target, _size(found.target), info, _title(found)
    )


def scan_library(locations: tuple[Location, ...], cache_file: Path | None) -> Library:
    """Find and describe every GGUF in `locations`; later parts of split models are left out
    (llama.cpp loads them through the first)."""
    found, skipped = discover(locations)
    cache = InfoCache(cache_file)
    models = []
    for f in found:
        item = _model(f, cache)
        if isinstance(item, Skipped):
            skipped.append(item)
        elif item.info.split_no == 0:
            models.append(item)
    cache.save()
    return Library(tuple(models), tuple(skipped), locations)


def describe_file(path: Path) -> LibraryModel:
    """A file given by path (anywhere) as a library model; UnknownModelError if it is not usable."""
    item = _model(FoundFile(path.name, Source.FOLDER, path, path.resolve()), InfoCache(None))
    if isinstance(item, Skipped):
        raise UnknownModelError(f"{path} cannot be used: {item.reason}")
    return item
