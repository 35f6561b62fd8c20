from __future__ import annotations

import os
from pathlib import Path

import pytest
from model_fakes import CATALOG, DRAFT, VERIFIER, Dirs, fake_quantize, no_download

from desktop.models.catalog import CATALOG as REAL_CATALOG
from desktop.models.errors import NotInstalledError
from desktop.models.fetch import Fetcher
from desktop.models.listing import installed_pairs, list_models, list_pairs, pair_paths


def install(dirs: Dirs) -> tuple[Path, Path]:
    fetcher = Fetcher(dirs.models, dirs.downloads, CATALOG, no_download, fake_quantize([]))
    return fetcher.fetch_pair("fake")


def test_nothing_installed(dirs: Dirs) -> None:
    assert list_models() == ()
    assert installed_pairs() == ()
    assert [p.name for p in list_pairs()] == ["default", "tiny", "coder-7b", "qwen3-8b", "llama-8b"]
    with pytest.raises(NotInstalledError, match="run: tandem models fetch tiny"):
        pair_paths("tiny")


def test_installed_pair_is_listed_with_sizes(dirs: Dirs, cached_wheels: list[Path]) -> None:
    verifier, draft = install(dirs)
    files = list_models(CATALOG)
    assert [(f.name, f.size, f.verified) for f in files] == [
        (VERIFIER.name, VERIFIER.size, True),
        (DRAFT.name, draft.stat().st_size, True),
    ]
    assert installed_pairs(CATALOG) == ("fake",)
    assert pair_paths("fake", CATALOG) == (verifier, draft)
    assert installed_pairs(REAL_CATALOG) == ()


def test_a_changed_file_is_unverified_until_fetched_again(dirs: Dirs, cached_wheels: list[Path]) -> None:
    verifier, _ = install(dirs)
    os.utime(verifier, ns=(5, 5))
    assert [f.verified for f in list_models(CATALOG)] == [False, True]
    (status,) = list_pairs(CATALOG)
    assert not status.installed and status.not_ready == (VERIFIER.name,)
    with pytest.raises(NotInstalledError, match=VERIFIER.name):
        pair_paths("fake", CATALOG)
    install(dirs)
    assert pair_paths("fake", CATALOG)[0] == verifier


def test_a_missing_draft_makes_the_pair_incomplete(dirs: Dirs, cached_wheels: list[Path]) -> None:
    _, draft = install(dirs)
    draft.unlink()
    assert [f.name for f in list_models(CATALOG)] == [VERIFIER.name]
    assert installed_pairs(CATALOG) == ()
