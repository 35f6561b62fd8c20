"""Suffix drafting: the most frequent continuation, gated by its own record, and lossless."""

from __future__ import annotations

from collections import Counter

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.speculative import Decoder
from desktop.engine.suffix import SuffixDrafter
from tests.fakes import FakeModel, table_rule

GREEDY = SamplingConfig()
RNG = np.random.default_rng(0)


def test_proposes_the_most_frequent_continuation_not_the_latest() -> None:
    d = SuffixDrafter(n_max=2, n_min=2, p_min=0.1)
    # After (1, 2): 3 4 twice, then 9 once (the latest); the frequent branch wins.
    text = [1, 2, 3, 4, 7, 1, 2, 3, 4, 8, 1, 2, 9, 5, 1, 2]
    d.begin(text)
    assert d.propose(text, 2, GREEDY, RNG).tokens == [3, 4]
    drafts, probs, n = d.branch(4)
    assert (drafts[:2], n) == ([3, 4], 2)
    assert probs[0] == 2 / 3 and probs[1] == 1.0


def test_the_branch_stops_where_its_probability_falls() -> None:
    d = SuffixDrafter(n_max=2, n_min=2, p_min=0.5)
    text = [1, 2, 3, 4, 1, 2, 3, 5, 1, 2, 3, 6, 1, 2]
    d.begin(text)
    # 3 follows every time; after it 4, 5, 6 split three ways (1/3 < 0.5): stop after 3.
    assert d.branch(8)[0] == [3]
    # Unproven, its record's lower estimate (0.4 at first) keeps it below p_min 0.5.
    assert d.propose(text, 8, GREEDY, RNG).tokens == []


def test_longest_match_wins_and_no_match_proposes_nothing() -> None:
    d = SuffixDrafter(n_max=3, n_min=2, p_min=0.1)
    text = [1, 2, 3, 9, 7, 2, 3, 8, 1, 2, 3]
    d.begin(text)
    assert d.propose(text, 1, GREEDY, RNG).tokens == [9]  # (1, 2, 3) beats (2, 3)
    assert d.propose([4, 5, 6, 7], 4, GREEDY, RNG).tokens == []


def test_its_record_silences_it_and_unproposed_predictions_revive_it() -> None:
    d = SuffixDrafter(n_max=2, n_min=2, p_min=0.35)
    text = [1, 2, 3, 1, 2]
    d.begin(text)
    proposal = d.propose(text, 1, GREEDY, RNG)
    assert proposal.tokens == [3] and proposal.confidence[0] >= 0.35
    d.settle([*text, 6])  # rejected at its first token
    assert d.propose(text, 1, GREEDY, RNG).tokens == []
    # It still predicts, unseen; when the text keeps agreeing, it proposes again.
    d.settle([*text, 3])
    for _ in range(3):
        d.propose(text, 1, GREEDY, RNG)
        d.settle([*text, 3])
    assert d.propose(text, 1, GREEDY, RNG).tokens == [3]


def test_past_texts_supply_continuations_the_conversation_has_not_seen() -> None:
    h = SuffixDrafter(n_max=2, n_min=2, p_min=0.2, history=[[5, 6, 7, 8], [5, 6, 7, 9]])
    h.begin([4, 5, 6])
    # 7 followed (5, 6) in both texts; after it 8 and 9 split: the branch stops at 7.
    assert h.propose([4, 5, 6], 4, GREEDY, RNG).tokens == [7]


def repeating(history):
    for j in range(len(history) - 3, -1, -1):
        if history[j : j + 2] == history[-2:]:
            return history[j + 2]
    return history[-1] % 25 + 1


def test_greedy_output_is_the_verifiers_own() -> None:
    prompt = [3, 4, 5, 6, 7, 3, 4, 9, 3, 4]
    cfg = GenerationConfig(max_tokens=40, draft=DraftConfig(draft_max=6, suffix=True, model=False))
    gen = Decoder(FakeModel(repeating)).generate(prompt, cfg)
    steps = list(gen)
    plain = Decoder(FakeModel(repeating)).generate(prompt, GenerationConfig(max_tokens=40))
    list(plain)
    assert gen.tokens == plain.tokens
    assert gen.stats.accepted > 10
    assert {s.drafter for s in steps if s.drafted} == {"suffix"}


def test_suffix_drafts_keep_the_verifiers_sampling_distribution() -> None:
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
            max_tokens=2,
            sampling=SamplingConfig(temperature=1.0, seed=seed),
            draft=DraftConfig(draft_max=1, suffix=True, model=False),
        )
        gen = dec.generate(prompt, cfg)
        list(gen)
        seen[gen.tokens[len(prompt)]] += 1
        accepted += gen.stats.accepted
    e = np.exp(table[2].astype(np.float64) - table[2].max())
    p = e / e.sum()
    tv = 0.5 * sum(abs(seen[t] / runs - p[t]) for t in range(v))
    assert 0 < accepted < runs  # suffix drafting proposed token 3; sometimes kept, sometimes not
    assert tv < 0.03
