"""Which curated pair suits this computer, and why, from its memory and llama.cpp's GPU backend.

Speculation pays where verifying a batch of guesses costs about one token: on a GPU. On CPU a
batch of k tokens costs nearly k tokens (llama-bench shows it), so a CPU machine gets the small
default pair however much memory it has. No Qt here, so the rule is unit-tested on made-up machines.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from desktop.models.catalog import CATALOG, Catalog, Pair

GIB = 2**30
_FIT = 0.9  # a "16 GB" laptop reports about 15.5 GiB: what the firmware and GPU keep back


GPU_PAYS = (
    "on a GPU the verifier checks the draft's guesses in about the time of one token, so a big verifier pays"
)


@dataclass(frozen=True)
class Machine:
    """What the recommendation looks at; `gpu_backend` None means it was not checked."""

    memory_bytes: int | None
    gpu_backend: str | None  # "CUDA", "Metal", "Vulkan", "none" (from BackendInfo.gpu_backend)

    @property
    def has_gpu(self) -> bool:
        """Whether this build of llama.cpp can run on a GPU here."""
        return self.gpu_backend not in (None, "", "none")

    def fits(self, pair: Pair) -> bool:
        """Whether the pair's memory need fits (an unknown memory fits only pairs without a GPU)."""
        if self.memory_bytes is None:
            return not pair.suits.gpu_advised
        return self.memory_bytes >= pair.suits.ram_gb * GIB * _FIT

    def describe(self) -> str:
        """E.g. "32 GB of memory and a CUDA GPU", "8 GB of memory and no GPU backend in this build"."""
        gib = (self.memory_bytes or 0) / GIB
        memory = f"{gib:.0f} GB of memory" if gib >= 2 else f"{gib:.1f} GB of memory" if gib else ""
        if self.gpu_backend is None:
            gpu = ""
        elif self.has_gpu:
            gpu = f"a {self.gpu_backend} GPU"
        else:
            gpu = "no GPU backend in this build"
        return " and ".join(x for x in (memory, gpu) if x)


@dataclass(frozen=True)
class Recommendation:
    """The pair to fetch first, and the reason in words a user can check."""

    pair: Pair
    reason: str

    def sentence(self) -> str:
        """E.g. "Recommended: Qwen2.5-Coder 7B with a 0.5B draft — this computer has …"."""
        return f"Recommended: {self.pair.title} — {self.reason}"


def recommend(machine: Machine, catalog: Catalog = CATALOG) -> Recommendation:
    """The first GPU pair that fits a GPU machine, else the biggest CPU pair that fits, else the smallest."""
    facts = machine.describe()
    has = f"this computer has {facts}" if facts else "Tandem could not read this computer's memory"
    gpu_pairs = [p for p in catalog.pairs if p.suits.gpu_advised]
    cpu_pairs = sorted((p for p in catalog.pairs if not p.suits.gpu_advised), key=lambda p: -p.suits.ram_gb)
    if machine.has_gpu:
        for pair in gpu_pairs:
            if machine.fits(pair):
                return Recommendation(pair, f"{has}: {GPU_PAYS}")
    fitting = [p for p in cpu_pairs if machine.fits(p)]
    if not fitting:
        smallest = cpu_pairs[-1] if cpu_pairs else catalog.pairs[-1]
        return Recommendation(smallest, f"{has}: even this smallest pair needs {smallest.suits.ram_gb} GB")
    pair = fitting[0]
    if pair is not cpu_pairs[0]:
        bigger = cpu_pairs[0]
        return Recommendation(pair, f"{has}: the {bigger.name} pair needs {bigger.suits.ram_gb} GB")
    if machine.has_gpu and gpu_pairs:
        need = min(p.suits.ram_gb for p in gpu_pairs)
        return Recommendation(pair, f"{has}: the GPU pairs need {need} GB; {pair.why}")
    return Recommendation(pair, f"{has}: {pair.why}")


def memory_bytes() -> int | None:
    """This computer's physical memory, or None when it cannot be read."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _windows_memory() if sys.platform == "win32" else None


def _windows_memory() -> int | None:
    import ctypes

    class MemoryStatus(ctypes.Structure):
        _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong), ("total", ctypes.c_ulonglong),
                    ("rest", ctypes.c_ulonglong * 6)]  # fmt: skip

    status = MemoryStatus()
    status.length = ctypes.sizeof(MemoryStatus)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return int(status.total)


def gpu_backend() -> str:
    """llama.cpp's GPU backends here ("CUDA", "Metal", "Vulkan") or "none"; this loads llama.cpp's
    backends the first time, so call it where the app already has (startup) or off the GUI thread."""
    try:
        from desktop.engine.llamacpp import backend_info
    except ImportError:
        return "none"
    return backend_info().gpu_backend


def this_machine() -> Machine:
    """The memory and GPU backend of the computer Tandem runs on."""
    return Machine(memory_bytes(), gpu_backend())
