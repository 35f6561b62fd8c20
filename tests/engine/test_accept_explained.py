"""Each sampled step carries q (the draft's probabilities) beside p, to explain the accept decision."""

from __future__ import annotations

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, table_rule

V = 6


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def test_a_sampled_step_carries_the_drafts_q_of_each_judged_token() -> None:
    rng = np.random.default_rng(3)
    vt = rng.normal(0, 1.5, (V, V)).astype(np.float32)
    dt = rng.normal(0, 1.5, (V, V)).astype(np.float32)
    vt[:, 0] = dt[:, 0] = -30.0
    dec = Decoder(FakeModel(table_rule(vt), n_vocab=V), FakeModel(table_rule(dt), n_vocab=V))
    cfg = GenerationConfig(
        max_tokens=40, sampling=SamplingConfig(temperature=1.0, seed=7), draft=DraftConfig(draft_max=3)
    )
    gen = dec.generate([2], cfg)
    rejected = accepted = 0
    for step in gen:
        history = gen.tokens[: len(gen.tokens) - step.n_tokens]
        judged = step.drafted[: len(step.draft_probs)]
        assert len(step.draft_probs) == len(step.accepted) + (1 if step.rejected else 0)
        for i, x in enumerate(judged):
            last = [*history, *step.drafted[:i]][-1]
            assert abs(step.draft_probs[i] - softmax(dt[last].astype(np.float64))[x]) < 1e-6
            assert abs(step.verifier_probs[i] - softmax(vt[last].astype(np.float64))[x]) < 1e-6
        rejected += bool(step.rejected)
        accepted += len(step.accepted)
    assert rejected and accepted


def test_greedy_steps_carry_no_probabilities() -> None:
    dec = Decoder(FakeModel(), FakeModel())
    gen = dec.generate([1, 2], GenerationConfig(max_tokens=10))
    assert all(s.draft_probs == () and s.verifier_probs == () for s in gen)
