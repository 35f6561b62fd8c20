"""Loading llama.cpp's backends from a `GGML_BACKEND_DL` build, and naming the ones in use.

Such a build links no backend into libggml: the CPU backend is one library per instruction set
(`libggml-cpu-haswell.so`, `libggml-cpu-icelake.so`, …) and each GPU backend is a module too. ggml
looks for them beside the executable (python, or the frozen app), not in `llama_cpp/lib` where the
wheel and the bundle put them, so Tandem loads them from there and picks the CPU variant itself.
Only ctypes here: `desktop.engine.llamacpp` hands in libggml and the folder.
"""

from __future__ import annotations

import _ctypes
import ctypes
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.engine.errors import TandemError

VARIANT_ENV = "TANDEM_CPU_VARIANT"
# The AMX matmul, compiled only into the sapphirerapids variant, crashed in batched decode
# (Q4_1) on a Xeon with AMX; the best variant without AMX is used unless asked for by name.
AVOIDED_VARIANTS = frozenset({"sapphirerapids"})
BUILT_IN = "built-in"  # a build without GGML_BACKEND_DL: one CPU backend linked into libggml
_DEVICE_TYPES = {0: "CPU", 1: "GPU", 2: "iGPU", 3: "accelerator"}


class BackendError(TandemError):
    """No usable llama.cpp CPU backend (or an unknown one asked for by name)."""


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """What llama.cpp runs on in this process."""

    cpu_variant: str  # e.g. "haswell", or BUILT_IN
    backends: tuple[str, ...]  # registered backends, e.g. ("CUDA", "CPU")
    devices: tuple[str, ...]  # e.g. ("CUDA0: NVIDIA GeForce RTX 4060 (GPU)", "CPU: … (CPU)")

    @property
    def gpu_backend(self) -> str:
        """The GPU backends built in ("CUDA", "Vulkan", "Metal"), or "none"."""
        gpus = [b for b in self.backends if b not in ("CPU", "BLAS", "RPC")]
        return ", ".join(gpus) or "none"


def _names() -> tuple[str, str]:
    # ggml's own naming: ggml-cpu-x.dll on Windows, libggml-cpu-x.so elsewhere (macOS too).
    return ("ggml-", ".dll") if sys.platform == "win32" else ("libggml-", ".so")


def cpu_variants(lib_dir: Path) -> dict[str, Path]:
    """The CPU variant libraries in `lib_dir`, by variant name."""
    prefix, ext = _names()
    head = f"{prefix}cpu-"
    return {p.name[len(head) : -len(ext)]: p for p in sorted(lib_dir.glob(f"{head}*{ext}"))}


def choose_variant(scores: Mapping[str, int], asked: str | None) -> str:
    """The variant to load: the one asked for, else the highest score (0 = this CPU lacks what
    the variant needs) outside AVOIDED_VARIANTS."""
    if asked:
        if asked not in scores:
            raise BackendError(f"{VARIANT_ENV}={asked} is not in this build; it has: {', '.join(scores)}")
        if scores[asked] <= 0:
            raise BackendError(f"{VARIANT_ENV}={asked} needs instructions this CPU does not have")
        return asked
    usable = {n: s for n, s in scores.items() if s > 0 and n not in AVOIDED_VARIANTS}
    if not usable:
        raise BackendError("no llama.cpp CPU backend in this build runs on this CPU")
    return max(usable, key=lambda n: usable[n])


def _score(path: Path) -> int:
    try:
        lib = ctypes.CDLL(str(path))
    except OSError:
        return 0
    try:
        fn = lib.ggml_backend_score
        fn.restype = ctypes.c_int
        return int(fn())
    except AttributeError:
        return 0
    finally:
        if hasattr(_ctypes, "dlclose"):  # as ggml does: only the chosen variant stays loaded
            _ctypes.dlclose(lib._handle)


def _load(ggml: ctypes.CDLL, path: Path) -> None:
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    if not ggml.ggml_backend_load(os.fsencode(path)):
        raise BackendError(f"llama.cpp could not load its backend {path.name}; reinstall Tandem")


def load_backends(ggml: ctypes.CDLL, lib_dir: Path, env: Mapping[str, str] = os.environ) -> str:
    """Load the GPU backends and the best CPU variant found in `lib_dir`; returns the variant.

    A build with its backends linked in has them registered already: nothing is loaded.
    """
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    if ggml.ggml_backend_reg_count() > 0:
        return BUILT_IN
    prefix, ext = _names()
    for path in sorted(lib_dir.glob(f"{prefix}*{ext}")):
        name = path.name[len(prefix) : -len(ext)]
        if name != "base" and not name.startswith("cpu"):
            _load(ggml, path)  # GPU backends first, as ggml_backend_load_all orders them
    variants = cpu_variants(lib_dir)
    if not variants:
        raise BackendError(f"llama.cpp's CPU backend is missing from {lib_dir}; reinstall Tandem")
    chosen = choose_variant({n: _score(p) for n, p in variants.items()}, env.get(VARIANT_ENV))
    _load(ggml, variants[chosen])
    return chosen


def _text(fn: Any, handle: int | None) -> str:
    fn.restype = ctypes.c_char_p
    fn.argtypes = [ctypes.c_void_p]
    return (fn(handle) or b"").decode(errors="replace")


def describe(ggml: ctypes.CDLL, cpu_variant: str) -> BackendInfo:
    """The registered backends and devices, as llama.cpp names them."""
    for fn in (ggml.ggml_backend_reg_get, ggml.ggml_backend_dev_get):
        fn.restype = ctypes.c_void_p
        fn.argtypes = [ctypes.c_size_t]
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_count.restype = ctypes.c_size_t
    ggml.ggml_backend_dev_type.restype = ctypes.c_int
    ggml.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    regs = [ggml.ggml_backend_reg_get(i) for i in range(ggml.ggml_backend_reg_count())]
    backends = tuple(_text(ggml.ggml_backend_reg_name, r) for r in regs)
    devices = []
    for i in range(ggml.ggml_backend_dev_count()):
        dev = ggml.ggml_backend_dev_get(i)
        kind = _DEVICE_TYPES.get(ggml.ggml_backend_dev_type(dev), "?")
        name = _text(ggml.ggml_backend_dev_name, dev)
        description = _text(ggml.ggml_backend_dev_description, dev)
        devices.append(f"{name}: {description} ({kind})")
    return BackendInfo(cpu_variant, backends, tuple(devices))
