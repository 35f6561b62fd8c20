"""Sampling filters and the rejection-sampling accept rule (p = verifier, q = draft)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.engine.accept import exact_match, rejection_sampling, residual
from desktop.engine.config import SamplingConfig
from desktop.engine.sampling import probabilities, top_probability


def test_greedy_is_one_hot_on_the_argmax() -> None:
    p = probabilities(np.array([0.1, 3.0, 2.0], dtype=np.float32), SamplingConfig())
    assert p.tolist() == [0.0, 1.0, 0.0]


def test_filters_keep_the_right_candidates() -> None:
    logits = np.log(np.array([0.5, 0.25, 0.15, 0.1], dtype=np.float32))
    assert np.count_nonzero(probabilities(logits, SamplingConfig(temperature=1.0, top_k=2))) == 2
    top_p = probabilities(logits, SamplingConfig(temperature=1.0, top_p=0.7))
    assert np.flatnonzero(top_p).tolist() == [0, 1]
    min_p = probabilities(logits, SamplingConfig(temperature=1.0, min_p=0.3))
    assert np.flatnonzero(min_p).tolist() == [0, 1]
    full = probabilities(logits, SamplingConfig(temperature=1.0))
    assert full == pytest.approx([0.5, 0.25, 0.15, 0.1], rel=1e-5)
    assert top_probability(logits) == pytest.approx(0.5, rel=1e-5)


def test_temperature_sharpens() -> None:
    logits = np.array([1.0, 0.0], dtype=np.float32)
    cold = probabilities(logits, SamplingConfig(temperature=0.5))
    warm = probabilities(logits, SamplingConfig(temperature=2.0))
    assert cold[0] > warm[0] > 0.5


def test_exact_match_accepts_the_agreeing_prefix() -> None:
    rows = np.eye(5, dtype=np.float32)[[1, 2, 3, 4]]  # verifier wants 1, 2, 3, then 4
    v = exact_match([0, 2, 3], rows)  # the first draft is wrong: nothing after it counts
    assert (v.n_accepted, v.token) == (0, 1)
    v = exact_match([1, 2, 0], rows)
    assert (v.n_accepted, v.token) == (2, 3)
    v = exact_match([1, 2, 3], rows)  # all accepted: the verifier's bonus token follows
    assert (v.n_accepted, v.token) == (3, 4)


def test_residual_is_the_normalised_positive_part() -> None:
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.7, 0.1, 0.2])
    assert residual(p, q) == pytest.approx([0.0, 1.0, 0.0])


def test_rejection_sampling_keeps_the_verifier_distribution() -> None:
    # One drafted token x ~ q; the output token must be distributed as p exactly.
    rng = np.random.default_rng(0)
    p = np.array([0.1, 0.2, 0.3, 0.4])
    q = np.array([0.4, 0.3, 0.2, 0.1])
    n = 40_000
    counts = np.zeros(4)
    for _ in range(n):
        x = int(rng.choice(4, p=q))
        v = rejection_sampling([x], [p, p], [q], rng)
        counts[x if v.n_accepted == 1 else v.token] += 1
    tv = 0.5 * np.abs(counts / n - p).sum()
    # Sampling noise for n=40k and 4 outcomes is about 0.005; a wrong rule (accepting
    # every draft, say) gives 0.3.
    assert tv < 0.015


def test_a_draft_the_verifier_finds_impossible_is_rejected() -> None:
    rng = np.random.default_rng(1)
    p = np.array([0.0, 1.0])
    q = np.array([1.0, 0.0])
    for _ in range(100):
        v = rejection_sampling([0], [p, p], [q], rng)
        assert (v.n_accepted, v.token) == (0, 1)
