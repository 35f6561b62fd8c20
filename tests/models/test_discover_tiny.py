"""The fake home built around the real tiny pair (linked, never copied): found, described, and the
draft list right for each of its models, in process and through `tandem models`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gguf_fakes import HF_CLONE, LM_STUDIO_VERIFIER, OLLAMA_DRAFT, build_home, home_env

pytestmark = pytest.mark.slow
pytest.importorskip("gguf")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_paths() -> tuple[Path, Path]:
    from desktop.models.listing import pair_paths

    return pair_paths("tiny")


def test_the_tiny_pair_found_through_other_apps(tiny_paths: tuple[Path, Path], tmp_path: Path) -> None:
    verifier, draft = tiny_paths
    fake_home, extra = tmp_path / "home", tmp_path / "extra"
    build_home(fake_home, verifier, draft, tmp_path / "store", extra)
    env = home_env(fake_home, tmp_path)

    def tandem(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "desktop", "models", *args, "--folder", str(extra)]
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    listed = json.loads(tandem("list", "--json").stdout)
    by_name = {m["name"]: m for m in listed["models"]}
    real_v, real_d = by_name[LM_STUDIO_VERIFIER], by_name[OLLAMA_DRAFT]
    assert Path(real_v["file"]) == verifier.resolve() and Path(real_d["file"]) == draft.resolve()
    assert (real_v["architecture"], real_v["size_label"], real_v["quantization"]) == ("llama", "135M", "Q4_1")
    assert (real_d["quantization"], real_d["vocab_size"], real_d["context_length"]) == (
        "Q3_K_M",
        49_152,
        8192,
    )
    assert (
        real_v["vocab_fingerprint"] == real_d["vocab_fingerprint"] == by_name[HF_CLONE]["vocab_fingerprint"]
    )
    assert real_v["size"] == verifier.stat().st_size

    for_verifier = json.loads(tandem("drafts", LM_STUDIO_VERIFIER, "--json").stdout)
    assert [d["name"] for d in for_verifier["drafts"]] == [HF_CLONE, OLLAMA_DRAFT]
    assert "Q3_K_M lowers acceptance" in for_verifier["drafts"][1]["notes"]
    for_draft = json.loads(tandem("drafts", OLLAMA_DRAFT, "--json").stdout)
    assert [d["name"] for d in for_draft["drafts"]] == [HF_CLONE]
    refused = {r["name"]: r["reasons"] for r in for_draft["refused"]}
    assert refused[LM_STUDIO_VERIFIER] == ["not smaller than the verifier (98 MB vs 94 MB)"]


def test_header_vocabulary_of_the_tiny_pair_matches_llama_cpp(tiny_paths: tuple[Path, Path]) -> None:
    pytest.importorskip("llama_cpp")
    from desktop.engine.llamacpp import read_vocab
    from desktop.models.gguf_info import read_info

    for path in tiny_paths:
        ours, theirs = read_info(path).vocab, read_vocab(path)
        assert ours is not None
        assert (ours.vocab_type, ours.n_vocab, ours.add_bos, ours.add_eos, ours.bos, ours.eos) == (
            theirs.vocab_type, theirs.n_vocab, theirs.add_bos, theirs.add_eos, theirs.bos, theirs.eos,
        )  # fmt: skip
