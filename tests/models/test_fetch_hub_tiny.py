"""A curated pair made of the real tiny files, served by the fake Hub under Hugging Face names:
`Fetcher` downloads it, checks the Hub's sha256, installs it under its catalog names, and it replies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fake_hub import REPO, FakeHub

from desktop.cli import main
from desktop.models.catalog import Catalog, HubSource, ModelFile, Pair, Suits
from desktop.models.fetch import Fetcher, FetchSource
from desktop.models.listing import pair_paths
from desktop.models.paths import download_cache_dir, models_dir

pytestmark = pytest.mark.slow


def test_a_hub_pair_of_the_tiny_files_installs_and_replies(
    hub: FakeHub, tiny_files: tuple[Path, Path], capsys: Any
) -> None:
    verifier, draft = tiny_files
    names = ("SmolLM2-135M-Instruct-Q4_1.gguf", "SmolLM2-135M-Instruct-Q3_K.gguf")
    hub.add_repo(REPO, dict(zip(names, tiny_files, strict=True)))
    files = tuple(
        ModelFile(f"hub-{path.name}", name, path.stat().st_size, None, HubSource(REPO, name))
        for name, path in zip(names, tiny_files, strict=True)
    )
    catalog = Catalog(
        files,
        (Pair("hub-tiny", "tiny, from the Hub", files[0].name, files[1].name, Suits(1, False), "tests"),),
    )
    fetcher = Fetcher(models_dir(), download_cache_dir(), catalog=catalog, source=FetchSource.HUB)
    got = fetcher.fetch_pair("hub-tiny")
    assert got == pair_paths("hub-tiny", catalog)
    assert got[0].read_bytes() == verifier.read_bytes() and got[1].read_bytes() == draft.read_bytes()
    assert hub.bytes_served == verifier.stat().st_size + draft.stat().st_size

    argv = ["generate", "--verifier", str(got[0]), "--draft", str(got[1]), "--prompt", "Hi"]
    assert main([*argv, "--max-tokens", "6", "--no-color"]) == 0
    assert capsys.readouterr().out.strip()
