"""Batched decode gives the tokens one-at-a-time decode gives, on the CPU variant chosen at start.

A native build crashed in llama.cpp's AMX matmul (batched decode, Q4_1) on a Xeon with AMX; the
tiny pair's verifier is Q4_1. To check a variant by hand, e.g. the AMX one on such a CPU:
`TANDEM_CPU_VARIANT=sapphirerapids pytest tests/slow/test_batched_decode.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop.engine.config import ModelConfig

pytestmark = pytest.mark.slow

N_TOKENS = 40
VERIFY_BATCH = 5  # a draft of 4 plus the verifier's token, as the speculative loop sends
NEAR_TIE = 0.1  # logit margin under which batch numerics may flip a greedy choice


@pytest.fixture(scope="module")
def verifier(tiny_paths: tuple[Path, Path]) -> Iterator[object]:
    from desktop.engine.llamacpp import LlamaModel

    model = LlamaModel(ModelConfig(str(tiny_paths[0]), n_ctx=512))
    yield model
    model.close()


def _margin(row: np.ndarray) -> float:
    top2 = np.partition(row, -2)[-2:]
    return float(top2[1] - top2[0])


def test_batched_decode_matches_one_token_at_a_time(verifier: object) -> None:
    from desktop.engine.llamacpp import LlamaModel, backend_info

    model = verifier
    assert isinstance(model, LlamaModel)
    variant = backend_info().cpu_variant
    prompt = model.tokenize("The three primary colours are", add_special=True, parse_special=False)

    model.truncate(0)
    row = model.decode(prompt, 0, 1)[-1]
    single, margins = [], []
    for _ in range(N_TOKENS):
        token = int(np.argmax(row))
        single.append(token)
        margins.append(_margin(row))
        row = model.decode([token], len(prompt) + len(single) - 1, 1)[-1].copy()

    model.truncate(0)
    last = model.decode(prompt, 0, 1)[-1].copy()
    batched = [int(np.argmax(last))]
    pos = len(prompt)
    for lo in range(0, N_TOKENS - 1, VERIFY_BATCH):
        chunk = single[lo : lo + VERIFY_BATCH]
        rows = model.decode(chunk, pos, len(chunk))
        batched.extend(int(np.argmax(r)) for r in rows)
        pos += len(chunk)
    batched = batched[:N_TOKENS]

    flips = [i for i, (a, b) in enumerate(zip(single, batched, strict=True)) if a != b]
    assert all(margins[i] < NEAR_TIE for i in flips), (
        f"CPU variant {variant}: batched decode chose other tokens at {flips} "
        f"(margins {[round(margins[i], 3) for i in flips]})"
    )
    assert len(flips) <= 2, f"CPU variant {variant}: {len(flips)} flips in {N_TOKENS} tokens"
