"""Fixtures with the real tiny pair (SmolLM2-135M Q4_1 verifier, its Q3_K draft)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.engine.config import ModelConfig
from desktop.engine.pair import ModelPair, PairConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def tiny_paths() -> tuple[Path, Path]:
    """The installed tiny pair; `make test` fetches it, so its absence is a failure."""
    from desktop.models.listing import pair_paths

    return pair_paths("tiny")


@pytest.fixture(scope="session")
def tiny_pair(tiny_paths: tuple[Path, Path]) -> Iterator[ModelPair]:
    from desktop.engine.llamacpp import LlamaBackend

    v, d = tiny_paths
    cfg = PairConfig(ModelConfig(str(v), n_ctx=2048), ModelConfig(str(d), n_ctx=2048))
    pair = ModelPair.load(LlamaBackend(), cfg)
    yield pair
    for model in (pair.verifier, pair.draft):
        model.close()  # type: ignore[union-attr]
