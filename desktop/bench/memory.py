"""Peak resident memory of this process, and what the models should need: files + KV caches."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

KV_BYTES_PER_VALUE = 2  # llama.cpp's default KV cache type is f16


class HasMetadata(Protocol):
    def metadata(self, key: str) -> str | None: ...


def _status_kib(field: str, status: Path = Path("/proc/self/status")) -> int | None:
    try:
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def peak_rss_bytes() -> int | None:
    """The process's peak resident set size (VmHWM); None where /proc is not available."""
    kib = _status_kib("VmHWM")
    return None if kib is None else kib * 1024


def reset_peak_rss() -> bool:
    """Reset the peak to the current RSS (Linux: write 5 to clear_refs); False if not possible."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")
        return True
    return False


@dataclass(frozen=True, slots=True)
class KvShape:
    """What sizes a model's KV cache: layers, KV heads and the key/value widths per head."""

    n_layer: int
    n_head_kv: int
    key_length: int
    value_length: int

    def bytes(self, n_ctx: int, per_value: int = KV_BYTES_PER_VALUE) -> int:
        """Bytes of K and V for `n_ctx` positions."""
        return self.n_layer * n_ctx * self.n_head_kv * (self.key_length + self.value_length) * per_value


def _int(model: HasMetadata, key: str) -> int | None:
    value = model.metadata(key)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def kv_shape(model: HasMetadata) -> KvShape | None:
    """The KV shape from GGUF metadata (`<arch>.block_count` and friends); None if incomplete."""
    arch = model.metadata("general.architecture")
    if not arch:
        return None
    n_layer = _int(model, f"{arch}.block_count")
    n_head = _int(model, f"{arch}.attention.head_count")
    n_embd = _int(model, f"{arch}.embedding_length")
    n_head_kv = _int(model, f"{arch}.attention.head_count_kv") or n_head
    if not (n_layer and n_head and n_embd and n_head_kv):
        return None
    head = n_embd // n_head
    key = _int(model, f"{arch}.attention.key_length") or head
    value = _int(model, f"{arch}.attention.value_length") or head
    return KvShape(n_layer, n_head_kv, key, value)


@dataclass(frozen=True, slots=True)
class ExpectedMemory:
    """Model files plus KV caches: what the memory target compares peak RSS against."""

    files: int
    kv_caches: int

    @property
    def total(self) -> int:
        return self.files + self.kv_caches


def expected_memory(models: Sequence[tuple[HasMetadata, Path, int]]) -> ExpectedMemory | None:
    """For (model, its file, its n_ctx) triples; None when a KV shape cannot be read."""
    files = kv = 0
    for model, path, n_ctx in models:
        shape = kv_shape(model)
        if shape is None:
            return None
        files += path.stat().st_size
        kv += shape.bytes(n_ctx)
    return ExpectedMemory(files, kv)
