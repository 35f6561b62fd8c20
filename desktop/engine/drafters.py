"""Drafters propose tokens for the verifier to check: a small draft model, or prompt lookup.

Throughout, q is the drafter's distribution for each proposed token (empty when greedy); a
deterministic drafter such as the n-gram one has a point-mass q.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from desktop.engine.cache import CachedModel, common_prefix
from desktop.engine.config import SamplingConfig
from desktop.engine.events import Origin
from desktop.engine.sampling import Probs, argmax, penalize, probabilities, sample, top_probability


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a drafter proposes for one step."""

    tokens: list[int] = field(default_factory=list)
    # q per token, only when sampling; None is a point mass on the proposed token.
    q: list[Probs | None] = field(default_factory=list)
    drafter: str = ""
    # Drafters that assess themselves: each token's chance of acceptance, given the earlier
    # ones were accepted (empty when the drafter has no such estimate).
    confidence: list[float] = field(default_factory=list)
    origin: Origin | None = None  # a past reply the tokens were followed from (history drafting)

    def truncated(self, n: int) -> Proposal:
        """The first n tokens of this proposal."""
        return Proposal(self.tokens[:n], self.q[:n], self.drafter, self.confidence[:n], self.origin)


MODEL_DRAFTER = "draft model"
NGRAM_DRAFTER = "n-gram"


class Drafter(Protocol):
    """Proposes up to k tokens that continue `tokens`."""

    name: str
    model_backed: bool  # whether each proposed token costs a model evaluation

    @property
    def decode_s(self) -> float:
        """Seconds spent in model decoding so far (0 for drafters without a model)."""
        ...

    @property
    def decoded(self) -> int:
        """Tokens evaluated by a model so far (0 for drafters without a model)."""
        ...

    def begin(self, tokens: Sequence[int], chunk: int, cancel: threading.Event) -> None:
        """A new reply starts after `tokens`: index them, or (a model) only remember how to
        read them; a draft model reads the prompt lazily, when it is first asked to draft."""
        ...

    def prefill(self, tokens: Sequence[int]) -> None:
        """Read `tokens` now (all but the last), so the next proposal need not wait for it."""
        ...

    def lag(self, tokens: Sequence[int]) -> int:
        """Tokens of `tokens` the drafter must evaluate before it can draft."""
        ...

    def propose(
        self, tokens: Sequence[int], k: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal: ...

    def settle(self, tokens: Sequence[int]) -> None:
        """The verifier has decided; `tokens` is the committed text."""
        ...


class ModelDrafter:
    """A small model samples (or argmaxes) its proposal token by token."""

    name = MODEL_DRAFTER
    model_backed = True

    def __init__(self, cached: CachedModel, p_min: float = 0.0, chunk: int = 256) -> None:
        self.cached = cached
        self.p_min = p_min
        self.chunk = chunk
        self._cancel: threading.Event | None = None

    @property
    def decode_s(self) -> float:
        return self.cached.decode_s

    @property
    def decoded(self) -> int:
        return self.cached.decoded

    def begin(self, tokens: Sequence[int], chunk: int, cancel: threading.Event) -> None:
        # No prefill here: the first token needs only the verifier, and a draft that is
        # never predicted to pay should never cost a prefill (the first `sync` catches up).
        self.chunk, self._cancel = chunk, cancel

    def prefill(self, tokens: Sequence[int]) -> None:
        self.cached.prefill(tokens[:-1], self.chunk, self._cancel)

    def lag(self, tokens: Sequence[int]) -> int:
        return len(tokens) - common_prefix(self.cached.tokens, tokens)

    def propose(
        self, tokens: Sequence[int], k: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal:
        if k <= 0:
            return Proposal(drafter=self.name)
        # Catching up feeds the verifier's last token, and the last draft token too after
        # a fully accepted step (the draft never decoded it).
        row, _ = self.cached.sync(tokens, self.chunk, self._cancel)
        model = self.cached.model
        drafts: list[int] = []
        qs: list[Probs | None] = []
        for i in range(k):
            row = penalize(row, [*tokens, *drafts], sampling)  # as the verifier will judge it
            if sampling.greedy:
                if self.p_min > 0.0 and top_probability(row) < self.p_min:
                    break
                x = argmax(row)
            else:
                q = probabilities(row, sampling)
                if self.p_min > 0.0 and float(q.max()) < self.p_min:
                    break
                x = sample(q, rng)
            if model.is_eog(x):
                break  # the verifier decides where the reply ends
            drafts.append(x)
            if not sampling.greedy:
                qs.append(q)
            if i < k - 1:
                row = self.cached.extend([x], 1)[-1]
        return Proposal(drafts, qs, self.name)

    def settle(self, tokens: Sequence[int]) -> None:
        self.cached.rewind(common_prefix(self.cached.tokens, tokens))


class NgramDrafter:
    """Prompt lookup decoding: find the latest earlier occurrence of the text's last n tokens
    (longest n first) and propose the tokens that followed it. Costs no model at all.
    """

    name = NGRAM_DRAFTER
    model_backed = False

    def __init__(self, n_max: int = 4, n_min: int = 2) -> None:
        self.n_max, self.n_min = n_max, n_min
        self._index: dict[tuple[int, ...], int] = {}
        self._tokens: list[int] = []

    @property
    def decode_s(self) -> float:
        return 0.0

    @property
    def decoded(self) -> int:
        return 0

    def begin(self, tokens: Sequence[int], chunk: int = 0, cancel: threading.Event | None = None) -> None:
        self._index.clear()
        self._tokens = []
        self.settle(tokens)

    def prefill(self, tokens: Sequence[int]) -> None:
        self.settle(tokens)

    def lag(self, tokens: Sequence[int]) -> int:
        return 0

    def _add(self, token: int) -> None:
        toks = self._tokens
        toks.append(token)
        j = len(toks) - 1  # the n-grams ending just before j are continued by toks[j]
        for n in range(self.n_min, self.n_max + 1):
            if j - n >= 0:
                self._index[tuple(toks[j - n : j])] = j - n

    def settle(self, tokens: Sequence[int]) -> None:
        if common_prefix(self._tokens, tokens) < len(self._tokens):
            self.begin([])  # the text changed under us: re-index from scratch
        for t in tokens[len(self._tokens) :]:
            self._add(t)

    def propose(
        self, tokens: Sequence[int], k: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal:
        self.settle(tokens)
        toks = self._tokens
        if k <= 0:
            return Proposal(drafter=self.name)
        for n in range(min(self.n_max, len(toks) - 1), self.n_min - 1, -1):
            start = self._index.get(tuple(toks[-n:]))
            if start is not None and start + n < len(toks):
                follow = toks[start + n : start + n + k]
                # A deterministic proposal: q is a point mass on each token (None).
                q: list[Probs | None] = [] if sampling.greedy else [None] * len(follow)
                return Proposal(list(follow), q, self.name)
        return Proposal(drafter=self.name)
