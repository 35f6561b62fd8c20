"""Suffix drafting (after SuffixDecoding, Oliaro et al. 2024): model-free proposals from
every earlier occurrence of the text's longest matching suffix, not only the latest one.

The continuations of all occurrences (most recent first, up to a cap) form a frequency tree;
the drafter follows its most frequent branch while the branch's empirical probability stays
high, and proposes the prefix whose chance of acceptance, by its own record for that match
length, stays above `p_min` (adaptive length). Every step it also predicts when it does not
propose, and checks the prediction against the text the verifier commits: its record learns
at no cost, so it never needs a paid probe. Optional history (the user's past replies, opt-in) adds
occurrences from other texts, and a proposal followed from one names it (`Proposal.origin`).
Like every drafter it only proposes; the verifier decides.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from itertools import islice

import numpy as np

from desktop.engine.cache import common_prefix
from desktop.engine.config import SamplingConfig
from desktop.engine.costmodel import AcceptanceEstimate
from desktop.engine.drafters import Proposal
from desktop.engine.events import Origin
from desktop.engine.sampling import Probs
from desktop.engine.suffix_history import PastReply, SuffixHistory, index_ngrams

SUFFIX_DRAFTER = "suffix"
MAX_OCCURRENCES = 64  # the most recent occurrences of a suffix that vote on its continuation
Occurrence = tuple[list[int], int]  # a text, and the position after the matched suffix in it


class SuffixDrafter:
    """Proposes the most frequent continuation of the longest suffix seen before."""

    name = SUFFIX_DRAFTER
    model_backed = False

    def __init__(
        self,
        n_max: int = 8,
        n_min: int = 2,
        p_min: float = 0.35,
        history: SuffixHistory | Sequence[Sequence[int]] = (),
    ) -> None:
        self.n_max, self.n_min = n_max, n_min
        self.p_min = p_min  # stop when the chance that the whole proposal is kept falls below this
        self.record = {n: AcceptanceEstimate(prior=0.6, weight=2.0) for n in range(n_min, n_max + 1)}
        if not isinstance(history, SuffixHistory):
            history = SuffixHistory([PastReply(tuple(text)) for text in history])
        self.history = history
        self._history = history.tokens
        self._history_index = history.index(n_min, n_max)
        self._tokens: list[int] = []
        self._index: dict[tuple[int, ...], list[int]] = {}
        self._pending: tuple[int, list[int], int] | None = None  # (base length, proposal, n)

    @property
    def decode_s(self) -> float:
        return 0.0

    @property
    def decoded(self) -> int:
        return 0

    def begin(self, tokens: Sequence[int], chunk: int = 0, cancel: threading.Event | None = None) -> None:
        self._tokens, self._index, self._pending = [], {}, None
        self.settle(tokens)

    def prefill(self, tokens: Sequence[int]) -> None:
        self.settle(tokens)

    def lag(self, tokens: Sequence[int]) -> int:
        return 0

    def settle(self, tokens: Sequence[int]) -> None:
        if common_prefix(self._tokens, tokens) < len(self._tokens):
            self.begin([])  # the text changed under us: re-index from scratch
            return self.settle(tokens)
        if self._pending is not None and len(tokens) > self._pending[0]:
            base, predicted, n = self._pending
            committed = tokens[base:]
            # Only as far as the text goes: a prediction longer than the step is not wrong yet.
            checked = min(len(predicted), len(committed))
            self.record[n].observe(checked, common_prefix(predicted[:checked], committed))
            self._pending = None
        start = len(self._tokens)
        self._tokens.extend(tokens[start:])
        index_ngrams(self._tokens, self._index, start, self.n_min, self.n_max)
        return None

    def _occurrences(self, n: int) -> list[Occurrence]:
        """(text, position) after each earlier occurrence of the last n tokens, newest first."""
        key = tuple(self._tokens[-n:])

        def newest(index: dict[tuple[int, ...], list[int]]) -> list[int]:
            return list(islice(reversed(index.get(key, [])), MAX_OCCURRENCES))

        # The suffix itself (j == len) has no continuation yet.
        own = [(self._tokens, j) for j in newest(self._index) if j < len(self._tokens)]
        past = [(self._history, j) for j in newest(self._history_index)]
        return (own + past)[:MAX_OCCURRENCES]

    def branch(self, k: int) -> tuple[list[int], list[float], int]:
        """The most frequent continuation (up to k tokens), each token's branch probability,
        and the match length it came from ([] when nothing matches)."""
        out, probs, n, _ = self._follow(k)
        return out, probs, n

    def _follow(self, k: int) -> tuple[list[int], list[float], int, list[Occurrence]]:
        """`branch`, and the occurrences (newest first) that agree with all of it."""
        for n in range(min(self.n_max, len(self._tokens) - 1), self.n_min - 1, -1):
            occ = self._occurrences(n)
            if not occ:
                continue
            out: list[int] = []
            probs: list[float] = []
            cumulative = 1.0
            for depth in range(k):
                votes = Counter(t[j + depth] for t, j in occ if j + depth < len(t) and t[j + depth] >= 0)
                if not votes:
                    break
                token, count = votes.most_common(1)[0]
                p = count / len(occ)
                if cumulative * p < self.p_min:
                    break
                cumulative *= p
                out.append(token)
                probs.append(p)
                occ = [(t, j) for t, j in occ if j + depth < len(t) and t[j + depth] == token]
            return out, probs, n, occ
        return [], [], 0, []

    def _origin(self, followed: list[Occurrence]) -> Origin | None:
        """The past reply of the newest occurrence the branch followed; None when the
        conversation itself holds one (it comes first) or nothing was followed."""
        if not followed or followed[0][0] is not self._history:
            return None
        return self.history.origin_at(followed[0][1])

    def propose(
        self, tokens: Sequence[int], k: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal:
        self.settle(tokens)
        if k <= 0:
            return Proposal(drafter=self.name)
        branch, probs, n, followed = self._follow(k)
        if not branch:
            return Proposal(drafter=self.name)
        self._pending = (len(self._tokens), branch, n)  # checked in settle, proposed or not
        # One imagined failure on top of the record: a rejected draft costs more than an
        # accepted one saves on most machines, so an estimate from few steps is taken low.
        record = self.record[n]
        alpha = record.passed / (record.tested + 1.0)
        confidence: list[float] = []
        kept = 1.0
        for p in probs:
            kept *= alpha * p
            if kept < self.p_min:
                break
            confidence.append(alpha * p)
        drafts = branch[: len(confidence)]
        # A deterministic proposal: q is a point mass on each token (None).
        q: list[Probs | None] = [] if sampling.greedy else [None] * len(drafts)
        return Proposal(drafts, q, self.name, confidence, self._origin(followed) if drafts else None)
