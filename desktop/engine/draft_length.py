"""Draft-length policies: how many tokens the draft proposes in the next step."""

from __future__ import annotations

from typing import Protocol

from desktop.engine.config import DraftConfig, DraftPolicy


class DraftLength(Protocol):
    """Chooses the next draft length and learns from each step's outcome."""

    def next_length(self) -> int: ...

    def observe(self, drafted: int, accepted: int) -> None: ...


class FixedLength:
    """Always propose `n` tokens (the draft may still stop early on p_min or end of text)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def next_length(self) -> int:
        return self.n

    def observe(self, drafted: int, accepted: int) -> None:
        """A fixed length learns nothing."""


class AdaptiveLength:
    """Grow the draft by 2 after a fully accepted step, shrink it by 1 after a rejection.

    The heuristic schedule of Hugging Face transformers' assisted generation: the length
    follows the observed acceptance, between 1 and `ceiling`.
    """

    def __init__(self, start: int, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.n = min(max(1, start), self.ceiling)

    def next_length(self) -> int:
        return self.n

    def observe(self, drafted: int, accepted: int) -> None:
        if drafted == 0:
            return
        if accepted == drafted:
            self.n = min(self.n + 2, self.ceiling)
        else:
            self.n = max(1, self.n - 1)


def make_policy(cfg: DraftConfig) -> DraftLength:
    """The policy a draft config asks for."""
    if cfg.policy is DraftPolicy.ADAPTIVE and cfg.draft_max > 0:
        return AdaptiveLength(cfg.draft_max, max(16, cfg.draft_max))
    return FixedLength(cfg.draft_max)
