"""Speculative sampling through the whole loop keeps the verifier's distribution (fakes)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, table_rule

V = 6


def bigram(seed: int) -> np.ndarray:
    t = np.random.default_rng(seed).normal(0.0, 1.5, size=(V, V)).astype(np.float32)
    t[:, 0] = -30.0  # never end early
    return t


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def exact_pairs(table: np.ndarray, last: int) -> dict[tuple[int, int], float]:
    """The verifier's own law of the first two generated tokens."""
    out = {}
    p1 = softmax(table[last].astype(np.float64))
    for a in range(V):
        p2 = softmax(table[a].astype(np.float64))
        for b in range(V):
            out[(a, b)] = p1[a] * p2[b]
    return out


def test_two_token_distribution_matches_the_verifier() -> None:
    verifier_table, draft_table = bigram(1), bigram(2)  # a poor draft: many rejections
    dec = Decoder(
        FakeModel(table_rule(verifier_table), n_vocab=V), FakeModel(table_rule(draft_table), n_vocab=V)
    )
    prompt = [3]
    runs = 6000
    seen: Counter[tuple[int, int]] = Counter()
    accepted = drafted = 0
    for seed in range(runs):
        cfg = GenerationConfig(
            max_tokens=2,
            sampling=SamplingConfig(temperature=1.0, seed=seed),
            draft=DraftConfig(draft_max=3),
        )
        gen = dec.generate(prompt, cfg)
        list(gen)
        seen[(gen.tokens[1], gen.tokens[2])] += 1
        accepted += gen.stats.accepted
        drafted += gen.stats.drafted
    assert 0 < accepted < drafted  # both branches of the rule were exercised
    exact = exact_pairs(verifier_table, prompt[0])
    tv = 0.5 * sum(abs(seen[k] / runs - exact[k]) for k in exact)
    # 36 outcomes, n=6000: sampling noise gives TV around 0.03; the draft's own law is at
    # TV ~0.4 from the verifier's, so a biased rule cannot pass.
    draft_law = exact_pairs(draft_table, prompt[0])
    assert 0.5 * sum(abs(draft_law[k] - exact[k]) for k in exact) > 0.25
    assert tv < 0.05
