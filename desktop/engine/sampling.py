"""Turning a row of logits into a token: greedy argmax, or a sampling distribution.

The same transform (temperature, top-k, top-p, min-p) is applied to the verifier's and
the draft's logits, so rejection sampling compares like with like.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from desktop.engine.config import SamplingConfig
from desktop.engine.model import Logits

Probs = npt.NDArray[np.float64]


def argmax(logits: Logits) -> int:
    """The greedy choice."""
    return int(np.argmax(logits))


def top_probability(logits: Logits) -> float:
    """Softmax probability of the most likely token, without materialising the softmax."""
    m = float(np.max(logits))
    return 1.0 / float(np.sum(np.exp(logits.astype(np.float64) - m)))


def probabilities(logits: Logits, cfg: SamplingConfig) -> Probs:
    """The sampling distribution over the whole vocabulary after every filter.

    Greedy configs give a one-hot distribution on the argmax.
    """
    n = logits.shape[-1]
    if cfg.greedy:
        out = np.zeros(n, dtype=np.float64)
        out[argmax(logits)] = 1.0
        return out
    scaled = logits.astype(np.float64) / cfg.temperature
    # Candidate set: top-k first (cheap partition), then sorted for top-p.
    k = cfg.top_k if 0 < cfg.top_k < n else n
    idx = np.argpartition(-scaled, k - 1)[:k] if k < n else np.arange(n)
    vals = scaled[idx]
    order = np.argsort(-vals, kind="stable")
    idx, vals = idx[order], vals[order]
    p = np.exp(vals - vals[0])
    p /= p.sum()
    keep = len(p)
    if cfg.min_p > 0.0:
        keep = min(keep, int(np.count_nonzero(p >= cfg.min_p * p[0])))
    if cfg.top_p < 1.0:
        # Smallest prefix whose mass reaches top_p (always at least one token).
        keep = min(keep, int(np.searchsorted(np.cumsum(p), cfg.top_p)) + 1)
    p = p[:keep] / p[:keep].sum()
    out = np.zeros(n, dtype=np.float64)
    out[idx[:keep]] = p
    return out


def sample(probs: Probs, rng: np.random.Generator) -> int:
    """Draw one token id from a distribution."""
    c = np.cumsum(probs)
    return int(min(np.searchsorted(c, rng.random() * c[-1], side="right"), len(c) - 1))
