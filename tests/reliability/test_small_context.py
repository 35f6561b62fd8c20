"""A context no larger than the draft: llama.cpp caps the batch at the context size, so a
verify batch is split over several decode calls; every logits row must still be right."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop.engine.config import ModelConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def verifier_path() -> Path:
    from desktop.models.listing import pair_paths

    return pair_paths("tiny")[0]


@pytest.fixture(scope="module")
def models(verifier_path: Path) -> Iterator[tuple[object, object]]:
    from desktop.engine.llamacpp import LlamaModel

    whole = LlamaModel(ModelConfig(str(verifier_path), n_ctx=512))
    split = LlamaModel(ModelConfig(str(verifier_path), n_ctx=512, n_batch=3))
    yield whole, split
    whole.close()
    split.close()


@pytest.mark.parametrize("n_logits", [1, 2, 3, 4, 5, 7, 11])
def test_split_batch_gives_the_same_rows_as_one_batch(models: tuple, n_logits: int) -> None:
    whole, split = models
    text = "The quick brown fox jumps over the lazy dog and runs off into the quiet forest."
    tokens = whole.tokenize(text, add_special=True, parse_special=False)
    assert len(tokens) >= n_logits
    expected = np.array(whole.decode(tokens, 0, n_logits))
    got = np.array(split.decode(tokens, 0, n_logits))
    whole.truncate(0)
    split.truncate(0)
    assert got.shape == expected.shape == (n_logits, whole.n_vocab)
    assert np.isfinite(got).all()
    # Batch shapes change llama.cpp's numerics a little, never the ranking at the top.
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert np.abs(got - expected).max() < 0.5


def test_split_verify_batch_continues_a_cached_prefix(models: tuple) -> None:
    whole, split = models
    tokens = whole.tokenize("One, two, three, four, five, six, seven", add_special=True, parse_special=False)
    head, tail = tokens[:4], tokens[4:9]
    for m in (whole, split):
        m.decode(head, 0, 1)
    expected = np.array(whole.decode(tail, len(head), len(tail)))
    got = np.array(split.decode(tail, len(head), len(tail)))
    whole.truncate(0)
    split.truncate(0)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


@pytest.mark.parametrize("ctx", ["4", "32"])
def test_same_model_pair_accepts_every_draft_at_a_small_context(verifier_path: Path, ctx: str) -> None:
    """Draft == verifier: greedy must accept every drafted token, however the batch splits."""
    r = subprocess.run(
        [sys.executable, "-m", "desktop", "generate", "--verifier", str(verifier_path),
         "--draft", str(verifier_path), "--ctx", ctx, "--draft-max", "8", "--prompt", "Hi",
         "--max-tokens", "24", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if r.returncode != 0:
        # Refusing a context too small for the prompt is fine, as one clear line.
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "context" in r.stderr
        return
    steps = [json.loads(line) for line in r.stdout.splitlines()][:-1]
    drafted = sum(len(s["drafted"]) for s in steps)
    accepted = sum(len(s["accepted"]) for s in steps)
    assert drafted > 0 and accepted == drafted, r.stdout
