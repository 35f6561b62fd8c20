"""The first-start recommendation over made-up machines: memory and llama.cpp's GPU backend."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.models.catalog import CATALOG
from desktop.models.recommend import GIB, Machine, memory_bytes, recommend


@pytest.mark.parametrize(
    ("memory_gib", "gpu", "pair"),
    [
        (32, "CUDA", "coder-7b"),
        (15.5, "Vulkan", "coder-7b"),  # a "16 GB" laptop as the OS reports it
        (16, "Metal", "coder-7b"),
        (8, "CUDA", "default"),  # the GPU pairs do not fit
        (64, "none", "default"),  # no GPU: a big verifier would be slow and drafting gains little
        (8, "none", "default"),
        (2, "none", "tiny"),
        (0.5, "none", "tiny"),
        (None, None, "default"),
    ],
)
def test_the_pair_suits_the_machine(memory_gib: float | None, gpu: str | None, pair: str) -> None:
    memory = int(memory_gib * GIB) if memory_gib is not None else None
    assert recommend(Machine(memory, gpu)).pair.name == pair


def test_the_reason_names_the_memory_and_the_gpu() -> None:
    big = recommend(Machine(32 * GIB, "CUDA"))
    assert big.sentence().startswith(
        "Recommended: Qwen2.5-Coder 7B with a 0.5B draft — this computer has 32 GB of memory and a CUDA GPU: "
    )
    small = recommend(Machine(8 * GIB, "none"))
    assert small.sentence() == (
        "Recommended: Qwen2.5-Coder 1.5B with a 0.5B draft — this computer has 8 GB of memory and no GPU "
        "backend in this build: a 1.5B verifier keeps replies quick"
    )
    assert "the GPU pairs need 16 GB" in recommend(Machine(8 * GIB, "Metal")).reason
    assert "the default pair needs 4 GB" in recommend(Machine(2 * GIB, "none")).reason
    assert recommend(Machine(None, None)).reason.startswith("Tandem could not read this computer's memory")


def test_every_recommended_pair_fits_the_memory_it_names() -> None:
    for gib in (1, 2, 4, 8, 16, 32, 128):
        for gpu in ("none", "CUDA"):
            machine = Machine(gib * GIB, gpu)
            chosen = recommend(machine).pair
            assert chosen.suits.ram_gb <= gib or chosen is CATALOG.pair("tiny")  # tiny, the last resort
            assert chosen.suits.gpu_advised <= machine.has_gpu


@pytest.mark.skipif(not Path("/proc/meminfo").exists(), reason="Linux only")
def test_memory_falls_back_to_proc_meminfo(monkeypatch: pytest.MonkeyPatch) -> None:
    total = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    expected = int(total.split()[1]) * 1024

    def no_sysconf(name: str) -> int:
        raise ValueError(name)

    monkeypatch.setattr(os, "sysconf", no_sysconf)
    assert memory_bytes() == expected
    monkeypatch.undo()
    assert abs((memory_bytes() or 0) - expected) < expected // 10  # sysconf agrees within 10%
