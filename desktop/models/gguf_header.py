"""A small, bounded reader of a GGUF file's header: metadata and tensor shapes, never the weights.

The `gguf` package is a development dependency only, and llama.cpp's vocabulary-only load costs
a native model object per file; this reader needs nothing but the standard library. Every length
it reads is checked against the bytes that remain, so a damaged or hostile file ends in a
`GgufError` with a short reason, never in a huge allocation or an endless loop.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"GGUF"
MAX_HEADER_BYTES = 512 << 20  # real headers are a few MiB (a 262k-token vocabulary is ~10 MiB)
MAX_SKIPPED_STRINGS = 8 << 20  # more strings than any real tokenizer has
MAX_DIMS = 8
KEPT_ARRAYS = ("tokenizer.ggml.tokens",)  # string arrays kept whole; others only when short
SHORT_ARRAY = 64

_SCALARS: dict[int, str] = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?"}
_SCALARS.update({10: "<Q", 11: "<q", 12: "<d"})
_STRING, _ARRAY = 8, 9


class GgufError(ValueError):
    """The file is not a GGUF this reader can use; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Header:
    """What the header says: metadata values (long arrays left out) and the weights' shapes."""

    version: int
    metadata: dict[str, object]
    array_lengths: dict[str, int]  # every array's element count, kept or not
    tensor_count: int
    parameters: int  # the sum of every tensor's element count


class _Cursor:
    def __init__(self, data: mmap.mmap | bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> int:
        """Advance by `n` bytes and return where they start."""
        start = self.pos
        if n < 0 or start + n > len(self.data):
            raise GgufError("truncated header")
        if start + n > MAX_HEADER_BYTES:
            raise GgufError(f"header larger than {MAX_HEADER_BYTES >> 20} MiB")
        self.pos = start + n
        return start

    def scalar(self, fmt: str) -> int | float | bool:
        size = struct.calcsize(fmt)
        value: int | float | bool = struct.unpack_from(fmt, self.data, self.take(size))[0]
        return value

    def u32(self) -> int:
        return int(self.scalar("<I"))

    def u64(self) -> int:
        return int(self.scalar("<Q"))

    def raw_string(self) -> bytes:
        n = self.u64()
        start = self.take(n)
        return bytes(self.data[start : start + n])

    def string(self) -> str:
        return self.raw_string().decode("utf-8", errors="replace")


def _value(cur: _Cursor, vtype: int, key: str) -> object:
    if vtype in _SCALARS:
        return cur.scalar(_SCALARS[vtype])
    if vtype == _STRING:
        return cur.string()
    raise GgufError(f"unknown value type {vtype} in {key}")


def _array(cur: _Cursor, keep: bool, key: str) -> tuple[object, int]:
    """(value or None when skipped, element count); string arrays in KEPT_ARRAYS stay raw bytes."""
    etype, count = cur.u32(), cur.u64()
    if etype in _SCALARS:
        size = struct.calcsize(_SCALARS[etype])
        start = cur.take(size * count)
        if not keep and count > SHORT_ARRAY:
            return None, count
        return list(struct.unpack_from(f"<{count}{_SCALARS[etype][1]}", cur.data, start)), count
    if etype == _STRING:
        if count > MAX_SKIPPED_STRINGS:
            raise GgufError(f"implausible header ({count:,} strings in {key})")
        strings = _strings(cur, count, keep=keep or count <= SHORT_ARRAY)
        if strings is None:
            return None, count
        if key in KEPT_ARRAYS:
            return strings, count
        return [b.decode("utf-8", errors="replace") for b in strings], count
    if etype == _ARRAY:
        raise GgufError(f"nested array in {key} (llama.cpp cannot read it)")
    raise GgufError(f"unknown value type {etype} in {key}")


def _strings(cur: _Cursor, count: int, keep: bool) -> list[bytes] | None:
    """Read (or skip) `count` strings; a tight loop, since a vocabulary has ~150k of them."""
    data, pos, end, unpack = cur.data, cur.pos, min(len(cur.data), MAX_HEADER_BYTES), struct.unpack_from
    kept: list[bytes] = []
    for _ in range(count):
        if pos + 8 > end:
            raise GgufError("truncated header")
        (n,) = unpack("<Q", data, pos)
        if pos + 8 + n > end:
            raise GgufError("truncated header")
        if keep:
            kept.append(bytes(data[pos + 8 : pos + 8 + n]))
        pos += 8 + n
    cur.pos = pos
    return kept if keep else None


def _check_version(cur: _Cursor) -> int:
    version = cur.u32()
    if version in (2, 3):
        return version
    if version == 1:
        raise GgufError("GGUF version 1 is too old for llama.cpp")
    if version >> 24 in (2, 3) and version & 0xFFFFFF == 0:
        raise GgufError("big-endian GGUF (made for s390x); this machine cannot load it")
    raise GgufError(f"unknown GGUF version {version}")


def parse(data: mmap.mmap | bytes) -> Header:
    """Parse a GGUF header held in `data` (an mmap of the file, or its leading bytes)."""
    cur = _Cursor(data)
    if len(data) < 4 or bytes(data[:4]) != MAGIC:
        raise GgufError(f"not a GGUF file (starts with {bytes(data[:4])!r})")
    cur.take(4)
    version = _check_version(cur)
    n_tensors, n_kv = cur.u64(), cur.u64()
    metadata: dict[str, object] = {}
    lengths: dict[str, int] = {}
    for _ in range(n_kv):
        key = cur.string()
        vtype = cur.u32()
        if vtype == _ARRAY:
            value, lengths[key] = _array(cur, keep=key in KEPT_ARRAYS, key=key)
            if value is not None:
                metadata[key] = value
        else:
            metadata[key] = _value(cur, vtype, key)
    parameters = 0
    for _ in range(n_tensors):
        cur.take(cur.u64())  # the tensor's name
        n_dims = cur.u32()
        if n_dims > MAX_DIMS:
            raise GgufError(f"implausible tensor with {n_dims} dimensions")
        count = 1
        for _ in range(n_dims):
            count *= cur.u64()
        cur.take(12)  # ggml type (u32) and data offset (u64)
        parameters += count
    return Header(version, metadata, lengths, n_tensors, parameters)


def read_header(path: Path) -> Header:
    """Read the header of the GGUF at `path` (memory-mapped, so only the header pages are read)."""
    try:
        with path.open("rb") as f:
            if path.stat().st_size == 0:
                raise GgufError("empty file")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return parse(data)
    except OSError as e:
        raise GgufError(f"cannot read it ({e.strerror or e})") from None
