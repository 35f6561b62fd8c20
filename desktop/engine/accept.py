"""Accept rules: which drafted tokens the verifier keeps, and its own token.

Throughout, p is the verifier's distribution and q the draft's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from desktop.engine.model import Logits
from desktop.engine.sampling import Probs, argmax, sample


@dataclass(frozen=True, slots=True)
class Verdict:
    """How many drafted tokens were accepted and the verifier's token after them."""

    n_accepted: int
    token: int
    probs: tuple[float, ...] = ()  # p of each drafted token and of the verifier's token
    draft_probs: tuple[float, ...] = ()  # q of each drafted token the rule looked at


def exact_match(drafts: Sequence[int], rows: Logits) -> Verdict:
    """Greedy rule: accept while the draft equals the verifier's argmax.

    `rows[i]` are the verifier's logits for position i (len(drafts) + 1 rows).
    """
    for i, d in enumerate(drafts):
        best = argmax(rows[i])
        if best != d:
            return Verdict(i, best)
    return Verdict(len(drafts), argmax(rows[len(drafts)]))


def residual(p: Probs, q: Probs | None, x: int = -1) -> Probs:
    """norm(max(0, p - q)): the distribution of the correction after a rejection.

    `q` None is a point mass on token `x` (a deterministic drafter such as n-gram lookup).
    """
    if q is None:
        r = p.copy()
        r[x] = max(0.0, r[x] - 1.0)
    else:
        r = np.maximum(p - q, 0.0)
    total = r.sum()
    # Only reachable through rounding when p == q; then p itself is the right law.
    return r / total if total > 0 else p


def rejection_sampling(
    drafts: Sequence[int],
    p: Sequence[Probs],
    q: Sequence[Probs | None],
    rng: np.random.Generator,
) -> Verdict:
    """Leviathan et al. / Chen et al. speculative sampling.

    Accept draft token x with probability min(1, p(x)/q(x)); on the first rejection sample
    the correction from norm(max(0, p - q)); after a fully accepted draft sample the bonus
    token from p. The output is distributed exactly as sampling from p alone.
    """
    seen: list[float] = []
    seen_q: list[float] = []
    for i, x in enumerate(drafts):
        qi = q[i]
        px, qx = float(p[i][x]), 1.0 if qi is None else float(qi[x])
        seen.append(px)
        seen_q.append(qx)
        if qx <= 0.0 or rng.random() >= min(1.0, px / qx):
            token = sample(residual(p[i], qi, x), rng)
            return Verdict(i, token, (*seen, float(p[i][token])), tuple(seen_q))
    n = len(drafts)
    token = sample(p[n], rng)
    return Verdict(n, token, (*seen, float(p[n][token])), tuple(seen_q))
