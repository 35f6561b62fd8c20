"""The installed tiny pair is the catalog's, and a draft made again from its verifier matches it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from model_fakes import no_download

from desktop.models.catalog import CATALOG, SMOLLM2_Q3_K, SMOLLM2_Q4_1
from desktop.models.fetch import Fetcher
from desktop.models.integrity import GGUF_MAGIC, read_sidecar, sha256_file

pytestmark = pytest.mark.slow


def test_the_installed_tiny_verifier_is_the_catalog_file(tiny_files: tuple[Path, Path]) -> None:
    verifier, draft = tiny_files
    assert (verifier.name, draft.name) == (SMOLLM2_Q4_1.name, SMOLLM2_Q3_K.name)
    assert verifier.stat().st_size == SMOLLM2_Q4_1.size
    assert sha256_file(verifier) == SMOLLM2_Q4_1.sha256


def test_derives_the_tiny_draft_from_the_installed_verifier(
    tmp_path: Path, tiny_files: tuple[Path, Path]
) -> None:
    verifier, installed_draft = tiny_files
    models = tmp_path / "models"
    models.mkdir()
    shutil.copyfile(verifier, models / verifier.name)  # no sidecar: the fetcher hashes it
    fetcher = Fetcher(models, tmp_path / "downloads", CATALOG, download=no_download)

    _, draft = fetcher.fetch_pair("tiny")

    assert draft == models / SMOLLM2_Q3_K.name
    assert draft.read_bytes()[:4] == GGUF_MAGIC
    # Quantizing the same file with the same llama.cpp gives the same bytes as at install.
    assert draft.stat().st_size == installed_draft.stat().st_size < verifier.stat().st_size
    recorded = read_sidecar(draft)
    assert recorded is not None and recorded.sha256 == sha256_file(draft)
