"""GGUF files that other apps already downloaded, found where each app keeps them, used in place.

Nothing is copied: a found file is loaded from where it lies (symlinks resolved). Where each app
keeps its files on Linux, macOS and Windows, and the variables that move them, is in
`app_locations`; it takes the platform, home and environment as arguments so tests can ask about
any of them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.models.app_folders import Location, Source, app_locations
from desktop.models.paths import bundled_models_dir, models_dir

OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
OLLAMA_REGISTRY = "registry.ollama.ai"
FOLDER_DEPTH = 4  # how deep an added folder is searched
_MODEL_PATH = re.compile(r"^model_path:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class FoundFile:
    """A GGUF named as its app names it; `path` is where it was found, `target` the file to load."""

    name: str
    source: Source
    path: Path
    target: Path


@dataclass(frozen=True)
class Skipped:
    """Something that looked like a model but cannot be used, and why."""

    name: str
    source: Source
    path: Path
    reason: str


Found = FoundFile | Skipped


def _file(name: str, source: Source, path: Path) -> Found:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Skipped(name, source, path, "broken link" if path.is_symlink() else "cannot be read")
    if not target.is_file():
        return Skipped(name, source, path, "not a file")
    return FoundFile(name, source, path, target)


def _ggufs(folder: Path, pattern: str, dirs: bool = False) -> list[Path]:
    """What `pattern` matches in `folder`: files (links included), or with `dirs` folders; sorted."""
    try:
        return sorted(p for p in folder.glob(pattern) if p.is_dir() == dirs)
    except OSError:
        return []


def _lm_studio(root: Path) -> Iterator[Found]:
    for path in _ggufs(root, "*/*/*.gguf"):  # <publisher>/<repo>/<file>.gguf
        yield _file(path.relative_to(root).as_posix(), Source.LM_STUDIO, path)


def ollama_name(manifest: Path, manifests: Path) -> str:
    """`llama3.2:3b` as `ollama list` shows it: host and the `library` namespace left out for
    Ollama's own registry, kept for others (`hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M`)."""
    host, *middle, tag = manifest.relative_to(manifests).parts
    if host == OLLAMA_REGISTRY:
        middle = middle[1:] if middle and middle[0] == "library" else middle
    else:
        middle = [host, *middle]
    return "/".join(middle) + ":" + tag


def _ollama(root: Path) -> Iterator[Found]:
    manifests = root / "manifests"
    for manifest in _ggufs(manifests, "*/*/*/*"):  # <host>/<namespace>/<model>/<tag>
        name = ollama_name(manifest, manifests)
        try:
            layers = json.loads(manifest.read_text(encoding="utf-8"))["layers"]
            digests = [
                str(layer["digest"]) for layer in layers if layer.get("mediaType") == OLLAMA_MODEL_LAYER
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            yield Skipped(name, Source.OLLAMA, manifest, "unreadable manifest")
            continue
        for digest in digests[:1]:
            blob = root / "blobs" / digest.replace(":", "-")
            if not blob.exists():
                yield Skipped(name, Source.OLLAMA, blob, f"blob {blob.name} is missing")
            else:
                yield _file(name, Source.OLLAMA, blob)


def _jan(root: Path) -> Iterator[Found]:
    data = root.parent.parent  # <data folder>/llamacpp/models
    for yml in _ggufs(root, "**/model.yml"):
        name = yml.parent.relative_to(root).as_posix()
        try:
            match = _MODEL_PATH.search(yml.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            match = None
        if match is None:
            yield Skipped(name, Source.JAN, yml, "model.yml names no model_path")
            continue
        model_path = Path(match.group(1).strip("\"'"))
        candidates = (
            [model_path] if model_path.is_absolute() else [data / model_path, yml.parent / model_path]
        )
        yield _file(name, Source.JAN, next((c for c in candidates if c.exists()), candidates[0]))


def _flat(root: Path, source: Source) -> Iterator[Found]:
    for path in _ggufs(root, "*.gguf"):
        yield _file(path.name, source, path)


def _hf_cache(root: Path, source: Source) -> Iterator[Found]:
    for repo in _ggufs(root, "models--*", dirs=True):
        org_name = repo.name.removeprefix("models--").replace("--", "/")
        for snapshot in _ggufs(repo / "snapshots", "*", dirs=True):
            for path in _ggufs(snapshot, "**/*.gguf"):
                yield _file(f"{org_name}/{path.relative_to(snapshot).as_posix()}", source, path)


def _folder(root: Path, source: Source) -> Iterator[Found]:
    for depth in range(1, FOLDER_DEPTH + 1):
        for path in _ggufs(root, "/".join(["*"] * depth) + ".gguf"):
            yield _file(path.relative_to(root).as_posix(), source, path)


def scan(location: Location) -> list[Found]:
    """Every GGUF (or refused candidate) in one location; a missing folder yields nothing."""
    root, source = location.root, location.source
    if not root.is_dir():
        return []
    if source is Source.LM_STUDIO:
        return list(_lm_studio(root))
    if source is Source.OLLAMA:
        return list(_ollama(root))
    if source is Source.JAN:
        return list(_jan(root))
    if source in (Source.GPT4ALL, Source.LLAMA_CPP):
        return list(_flat(root, source)) + list(_hf_cache(root, source))  # newer llama.cpp: HF layout
    if source is Source.HF_CACHE:
        return list(_hf_cache(root, source))
    return list(_folder(root, source))


def discover(locations: tuple[Location, ...]) -> tuple[list[FoundFile], list[Skipped]]:
    """Scan every location in order; a file reached twice (a link, or two apps) is kept once,
    under the first location that found it."""
    found: dict[Path, FoundFile] = {}
    skipped: list[Skipped] = []
    for location in locations:
        for item in scan(location):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                found.setdefault(item.target, item)
    return list(found.values()), skipped


def default_locations(
    env: Mapping[str, str] | None = None, folders: tuple[Path, ...] = ()
) -> tuple[Location, ...]:
    """This machine's locations: Tandem's models folder, the offline edition's bundled models,
    then other apps', then `folders`."""
    bundled = bundled_models_dir()
    return (
        Location(Source.TANDEM, models_dir()),
        *((Location(Source.BUNDLED, bundled),) if bundled is not None else ()),
        *app_locations(sys.platform, Path.home(), os.environ if env is None else env),
        *(Location(Source.FOLDER, f) for f in folders),
    )
