"""The repeat penalty keeps speculation lossless: it shapes p and q over the same history."""

from __future__ import annotations

from collections import Counter

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.sampling import penalize
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, table_rule

V = 6
PENALTY = SamplingConfig(temperature=1.0, repeat_penalty=2.5, repeat_last_n=8)


def bigram(seed: int, v: int = V) -> np.ndarray:
    t = np.random.default_rng(seed).normal(0.0, 1.5, size=(v, v)).astype(np.float32)
    t[:, 0] = -30.0  # never end early
    return t


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def law(table: np.ndarray, prompt: list[int], cfg: SamplingConfig) -> dict[tuple[int, int], float]:
    """The verifier's own law of the first two tokens, the penalty applied as plain decoding would."""
    out = {}
    p1 = softmax(penalize(table[prompt[-1]], prompt, cfg).astype(np.float64))
    for a in range(V):
        p2 = softmax(penalize(table[a], [*prompt, a], cfg).astype(np.float64))
        for b in range(V):
            out[(a, b)] = p1[a] * p2[b]
    return out


def test_penalize_follows_llama_cpp() -> None:
    row = np.array([2.0, -1.0, 3.0, 0.5], dtype=np.float32)
    got = penalize(row, [0, 1, 1], SamplingConfig(repeat_penalty=2.0))
    assert got.tolist() == [1.0, -2.0, 3.0, 0.5]
    assert penalize(row, [0, 1], SamplingConfig()) is row  # no penalty: no copy


def test_speculative_sampling_with_a_repeat_penalty_keeps_the_verifiers_distribution() -> None:
    verifier_table, draft_table = bigram(1), bigram(2)
    dec = Decoder(
        FakeModel(table_rule(verifier_table), n_vocab=V), FakeModel(table_rule(draft_table), n_vocab=V)
    )
    prompt = [3]
    runs = 6000
    seen: Counter[tuple[int, int]] = Counter()
    accepted = drafted = 0
    for seed in range(runs):
        sampling = SamplingConfig(temperature=1.0, seed=seed, repeat_penalty=2.5, repeat_last_n=8)
        gen = dec.generate(
            prompt, GenerationConfig(max_tokens=2, sampling=sampling, draft=DraftConfig(draft_max=3))
        )
        list(gen)
        seen[(gen.tokens[1], gen.tokens[2])] += 1
        accepted += gen.stats.accepted
        drafted += gen.stats.drafted
    assert 0 < accepted < drafted
    exact = law(verifier_table, prompt, PENALTY)
    unpenalized = law(verifier_table, prompt, SamplingConfig(temperature=1.0))
    # The penalty moves the law far more than sampling noise (TV ~0.03 at n=6000) ...
    assert 0.5 * sum(abs(exact[k] - unpenalized[k]) for k in exact) > 0.1
    # ... and the speculative output follows the penalised verifier.
    assert 0.5 * sum(abs(seen[k] / runs - exact[k]) for k in exact) < 0.05


def test_greedy_same_model_drafts_are_all_accepted_under_a_penalty() -> None:
    table = bigram(5, v=32)
    greedy = SamplingConfig(repeat_penalty=1.8, repeat_last_n=16)

    def run(draft_max: int, sampling: SamplingConfig) -> tuple[list[int], int, int]:
        dec = Decoder(FakeModel(table_rule(table)), FakeModel(table_rule(table)))
        gen = dec.generate(
            [3, 4], GenerationConfig(max_tokens=40, sampling=sampling, draft=DraftConfig(draft_max=draft_max))
        )
        list(gen)
        return gen.tokens, gen.stats.accepted, gen.stats.drafted

    tokens, accepted, drafted = run(4, greedy)
    assert drafted > 0 and accepted == drafted
    assert tokens == run(0, greedy)[0]  # the same text as the verifier alone with the penalty
    assert tokens != run(0, SamplingConfig())[0]  # which the penalty did change
