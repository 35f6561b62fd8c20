"""Prompt lookup (n-gram) drafting: what it proposes and that it stays lossless."""

from __future__ import annotations

from collections import Counter

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.drafters import NgramDrafter
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, table_rule

GREEDY = SamplingConfig()
RNG = np.random.default_rng(0)


def test_proposes_what_followed_the_latest_earlier_occurrence() -> None:
    d = NgramDrafter(n_max=3, n_min=1)
    text = [5, 6, 7, 8, 9, 1, 5, 6, 7, 2, 3, 5, 6]
    d.begin(text)
    # Suffix (5, 6) last occurred at 6..7, followed by 7, 2, 3.
    assert d.propose(text, 3, GREEDY, RNG).tokens == [7, 2, 3]
    assert d.propose(text, 10, GREEDY, RNG).tokens == [7, 2, 3, 5, 6]


def test_longest_match_wins_and_no_match_proposes_nothing() -> None:
    d = NgramDrafter(n_max=3, n_min=2)
    text = [1, 2, 3, 9, 2, 3, 8, 1, 2, 3]
    d.begin(text)
    assert d.propose(text, 2, GREEDY, RNG).tokens == [9, 2]  # (1, 2, 3) beats (2, 3)
    assert d.propose([4, 5, 6, 7], 4, GREEDY, RNG).tokens == []


def test_index_follows_appended_tokens_and_a_changed_text() -> None:
    d = NgramDrafter(n_max=2, n_min=2)
    d.begin([1, 2, 3])
    d.settle([1, 2, 3, 4, 1, 2])
    assert d.propose([1, 2, 3, 4, 1, 2], 2, GREEDY, RNG).tokens == [3, 4]
    assert d.propose([7, 8, 9, 7, 8], 1, GREEDY, RNG).tokens == [9]


def repeating(history):
    # A verifier that copies: after ...a b it says what followed a b before, else counts.
    for j in range(len(history) - 3, -1, -1):
        if history[j : j + 2] == history[-2:]:
            return history[j + 2]
    return history[-1] % 25 + 1


def test_copying_text_is_drafted_by_lookup_without_a_draft_model() -> None:
    dec = Decoder(FakeModel(repeating))
    cfg = GenerationConfig(max_tokens=30, draft=DraftConfig(draft_max=4, ngram=True))
    gen = dec.generate([3, 4, 5, 6, 7, 3, 4], cfg)
    steps = list(gen)
    assert gen.stats.accepted > 10
    assert {s.drafter for s in steps if s.drafted} == {"n-gram"}
    plain = Decoder(FakeModel(repeating)).generate([3, 4, 5, 6, 7, 3, 4], GenerationConfig(max_tokens=30))
    list(plain)
    assert gen.tokens == plain.tokens


def test_lookup_drafts_keep_the_verifiers_sampling_distribution() -> None:
    v = 5
    table = np.random.default_rng(3).normal(0, 1.0, size=(v, v)).astype(np.float32)
    table[:, 0] = -30.0
    prompt = [1, 2, 3, 1, 2, 3, 1, 2]
    dec = Decoder(FakeModel(table_rule(table), n_vocab=v))
    runs = 4000
    seen: Counter[int] = Counter()
    accepted = 0
    for seed in range(runs):
        cfg = GenerationConfig(
            max_tokens=1,
            sampling=SamplingConfig(temperature=1.0, seed=seed),
            draft=DraftConfig(draft_max=1, ngram=True),
        )
        # max_tokens=1 leaves no room for a draft; use 2 and look at the first token.
        cfg = GenerationConfig(max_tokens=2, sampling=cfg.sampling, draft=cfg.draft)
        gen = dec.generate(prompt, cfg)
        list(gen)
        seen[gen.tokens[len(prompt)]] += 1
        accepted += gen.stats.accepted
    e = np.exp(table[2].astype(np.float64) - table[2].max())
    p = e / e.sum()
    tv = 0.5 * sum(abs(seen[t] / runs - p[t]) for t in range(v))
    assert 0 < accepted < runs  # lookup proposed token 3; sometimes kept, sometimes not
    assert tv < 0.03
