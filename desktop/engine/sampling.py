"""Turning a row of logits into a token: greedy argmax, or a sampling distribution.

The same transform (repeat penalty, temperature, top-k, top-p, min-p) is applied to the
verifier's and the draft's logits over the same history, so rejection sampling compares like
with like and speculation stays lossless.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from desktop.engine.config import SamplingConfig
from desktop.engine.model import Logits

Probs = npt.NDArray[np.float64]


def penalize(logits: Logits, history: Sequence[int], cfg: SamplingConfig) -> Logits:
    """`logits` with every token of the last `repeat_last_n` of `history` made less likely:
    a positive logit is divided by the penalty, a negative one multiplied (llama.cpp's rule).
    The same row when there is no penalty.
    """
    if cfg.repeat_penalty == 1.0 or cfg.repeat_last_n <= 0 or not history:
        return logits
    seen = np.unique(np.asarray(history[-cfg.repeat_last_n :], dtype=np.int64))
    seen = seen[(seen >= 0) & (seen < logits.shape[-1])]
    out = logits.copy()
    values = out[seen]
    out[seen] = np.where(values > 0, values / cfg.repeat_penalty, values * cfg.repeat_penalty)
    return out


def argmax(logits: Logits) -> int:
    """The greedy choice."""
    return int(np.argmax(logits))


def top_probability(logits: Logits) -> float:
    """Softmax probability of the most likely token, without materialising the softmax."""
    m = float(np.max(logits))
    return 1.0 / float(np.sum(np.exp(logits.astype(np.float64) - m)))


def probabilities(logits: Logits, cfg: SamplingConfig) -> Probs:
    """The sampling distribution over the whole vocabulary after every filter.

    Greedy configs give a one-hot distribution on the argmax. Filters never sort the whole
    vocabulary: top-k partitions, min-p is a threshold, and top-p sorts only a growing
    partition of the most likely tokens until it holds the requested mass.
    """
    n = logits.shape[-1]
    if cfg.greedy:
        out = np.zeros(n, dtype=np.float64)
        out[argmax(logits)] = 1.0
        return out
    scaled = logits.astype(np.float64) / cfg.temperature
    if 0 < cfg.top_k < n:
        cut = np.partition(scaled, n - cfg.top_k)[n - cfg.top_k]
        scaled[scaled < cut] = -np.inf
    top = float(scaled.max())
    if cfg.min_p > 0.0:
        # p >= min_p * p_max  <=>  logit >= max + log(min_p)
        scaled[scaled < top + float(np.log(cfg.min_p))] = -np.inf
    p = np.exp(scaled - top)
    p /= p.sum()
    if cfg.top_p < 1.0:
        _keep_top_p(p, cfg.top_p)
    return p


def _keep_top_p(p: Probs, top_p: float) -> None:
    """Zero all but the smallest set of most likely tokens whose mass reaches top_p, and
    renormalise, in place (always at least one token)."""
    n = len(p)
    m = 64
    while True:
        m = min(m, n)
        idx = np.argpartition(-p, m - 1)[:m] if m < n else np.arange(n)
        if m == n or p[idx].sum() >= top_p:
            break
        m *= 8
    idx = idx[np.argsort(-p[idx], kind="stable")]
    keep = int(np.searchsorted(np.cumsum(p[idx]), top_p)) + 1
    mask = np.ones(n, dtype=bool)
    mask[idx[:keep]] = False
    p[mask] = 0.0
    p /= p.sum()


def sample(probs: Probs, rng: np.random.Generator) -> int:
    """Draw one token id from a distribution."""
    c = np.cumsum(probs)
    return int(min(np.searchsorted(c, rng.random() * c[-1], side="right"), len(c) - 1))
