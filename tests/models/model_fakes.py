"""Fake wheels, a fake catalog and a fake quantizer, so fetching is tested without a network."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.models.catalog import Catalog, DerivedFile, HubSource, ModelFile, Pair, Suits, WheelPart

PART1 = b"GGUF" + b"\x01" * 3000
PART2 = bytes(range(256)) * 9  # distinct from PART1, so assembling out of order changes the hash


def wheel_name(package: str, version: str) -> str:
    return f"{package.replace('-', '_')}-{version}-py3-none-any.whl"


def write_wheel(directory: Path, package: str, version: str, members: dict[str, bytes]) -> Path:
    """A minimal wheel: the given members plus a dist-info, like the real data wheels."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / wheel_name(package, version)
    dist = package.replace("-", "_")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(f"{dist}-{version}.dist-info/METADATA", f"Name: {package}\nVersion: {version}\n")
    return path


PARTS = (
    WheelPart("fake-model-part1", "1.0", "fake_model_part1/data/part01.bin"),
    WheelPart("fake-model-part2", "1.0", "fake_model_part2/data/part02.bin"),
)
VERIFIER = ModelFile(
    name="fake-verifier.gguf",
    title="Fake verifier",
    size=len(PART1) + len(PART2),
    sha256=hashlib.sha256(PART1 + PART2).hexdigest(),
    hub=HubSource("tandem-test/Fake-GGUF", "fake-verifier.gguf"),
    parts=PARTS,
)
DRAFT = DerivedFile(name="fake-draft.gguf", title="Fake draft", source=VERIFIER.name, quant="Q3_K", size=1000)
FAKE_PAIR = Pair("fake", "Fake pair", VERIFIER.name, DRAFT.name, Suits(1, gpu_advised=False), "tests")
CATALOG = Catalog(files=(VERIFIER, DRAFT), pairs=(FAKE_PAIR,))


@dataclass(frozen=True)
class Dirs:
    """The temporary folders a test's environment variables point at."""

    data: Path
    models: Path
    downloads: Path  # the download cache, inside the folder TANDEM_CACHE_DIR points at


def no_download(part: WheelPart, cache_dir: Path) -> Path:
    raise AssertionError(f"unexpected download of {part.requirement}")


def fake_quantize(calls: list[tuple[Path, Path, str]]) -> Callable[[Path, Path, str], None]:
    """A quantizer that records its calls and writes a small GGUF-looking file."""

    def quantize(src: Path, dst: Path, quant: str) -> None:
        calls.append((src, dst, quant))
        dst.write_bytes(b"GGUF" + src.read_bytes()[4:1000])

    return quantize
