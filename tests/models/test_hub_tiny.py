"""End to end with the real tiny pair served by the fake Hub: search, files, pull, load, reply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fake_hub import REPO, FakeHub

from desktop.cli import main

pytestmark = pytest.mark.slow


def test_search_files_pull_and_chat_with_the_tiny_pair(
    hub: FakeHub, tiny_files: tuple[Path, Path], capsys: Any
) -> None:
    from desktop.engine.llamacpp import read_vocab

    verifier, draft = tiny_files
    hub.add_repo(REPO, {verifier.name: verifier, draft.name: draft}, downloads=100)

    assert main(["models", "search", "SmolLM2 135M", "--json"]) == 0
    assert [m["repo"] for m in json.loads(capsys.readouterr().out)] == [REPO]
    assert main(["models", "files", REPO, "--json"]) == 0
    quants = {f["quant"]: f["size"] for f in json.loads(capsys.readouterr().out)}
    assert quants == {"Q4_1": verifier.stat().st_size, "Q3_K": draft.stat().st_size}

    pulled = []
    for quant in ("Q4_1", "Q3_K"):
        assert main(["models", "pull", f"{REPO}:{quant}", "--json"]) == 0
        captured = capsys.readouterr()
        assert "MB/s" in captured.err
        pulled.append(Path(json.loads(captured.out)["path"]))
    for path, source in zip(pulled, tiny_files, strict=True):
        assert path.read_bytes() == source.read_bytes()
    assert read_vocab(pulled[0]).n_vocab == read_vocab(pulled[1]).n_vocab == 49_152  # SmolLM2's

    argv = ["generate", "--verifier", str(pulled[0]), "--draft", str(pulled[1]), "--prompt", "Hi"]
    assert main([*argv, "--max-tokens", "8", "--no-color"]) == 0
    assert capsys.readouterr().out.strip()
