"""Peak RSS from /proc, and the expected size of KV caches from GGUF metadata."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.bench.memory import KvShape, expected_memory, kv_shape, peak_rss_bytes, reset_peak_rss

QWEN_1_5B = {
    "general.architecture": "qwen2",
    "qwen2.block_count": "28",
    "qwen2.attention.head_count": "12",
    "qwen2.attention.head_count_kv": "2",
    "qwen2.embedding_length": "1536",
}


class Meta:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def metadata(self, key: str) -> str | None:
        return self.table.get(key)


def test_kv_shape_from_metadata() -> None:
    shape = kv_shape(Meta(QWEN_1_5B))
    assert shape == KvShape(n_layer=28, n_head_kv=2, key_length=128, value_length=128)
    # K and V, f16, 4096 positions: 28 x 4096 x 2 x 256 x 2 bytes.
    assert shape.bytes(4096) == 28 * 4096 * 2 * 256 * 2


def test_explicit_key_length_and_missing_kv_heads() -> None:
    table = {k: v for k, v in QWEN_1_5B.items() if "head_count_kv" not in k}
    table["qwen2.attention.key_length"] = "64"
    shape = kv_shape(Meta(table))
    assert shape == KvShape(28, 12, 64, 128)


def test_incomplete_metadata_gives_none() -> None:
    assert kv_shape(Meta({})) is None
    assert kv_shape(Meta({"general.architecture": "qwen2"})) is None


def test_expected_memory_adds_files_and_caches(tmp_path: Path) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(b"x" * 1000)
    got = expected_memory([(Meta(QWEN_1_5B), f, 16), (Meta(QWEN_1_5B), f, 16)])
    assert got is not None
    assert got.files == 2000
    assert got.kv_caches == 2 * 28 * 16 * 2 * 256 * 2
    assert got.total == got.files + got.kv_caches
    assert expected_memory([(Meta({}), f, 16)]) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_peak_rss_is_read_and_can_be_reset() -> None:
    peak = peak_rss_bytes()
    assert peak is not None and peak > 1_000_000
    if reset_peak_rss():
        after = peak_rss_bytes()
        assert after is not None and after <= peak + 1_000_000
