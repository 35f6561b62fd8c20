"""The auto offload's inputs from llama.cpp itself: layer count without the weights, GPU memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.engine.llamacpp import footprint, gpu_free_bytes, supports_gpu_offload
from desktop.engine.offload import ModelFootprint

pytestmark = pytest.mark.slow


def test_footprint_reads_the_layers_without_loading_the_weights(tiny_paths: tuple[Path, Path]) -> None:
    verifier, draft = tiny_paths
    assert footprint(verifier) == ModelFootprint(30, verifier.stat().st_size)
    assert footprint(draft) == ModelFootprint(30, draft.stat().st_size)


def test_a_cpu_build_reports_no_gpu_memory() -> None:
    if supports_gpu_offload():
        pytest.skip("this build has a GPU backend")
    assert gpu_free_bytes() is None
