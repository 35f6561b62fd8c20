"""Which drafter drafts, and how many tokens, each step: the two modes.

Speculative always drafts (the first drafter with a proposal wins), so a user can watch the
steps. Fastest (desktop/engine/fastest.py) compares the predicted seconds saved by every
drafter and length with plain decoding, zero drafts included, learning as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from desktop.engine.config import DraftConfig, Mode, SamplingConfig
from desktop.engine.costmodel import Costs
from desktop.engine.draft_length import make_policy
from desktop.engine.drafters import Drafter, Proposal
from desktop.engine.events import Decision, StepEvent
from desktop.engine.fastest import FastestSchedule

__all__ = ["FastestSchedule", "Schedule", "SpeculativeSchedule", "make_schedule"]


class Schedule(Protocol):
    """Chooses each step's proposal and learns from its outcome; `last` says why (or None)."""

    last: Decision | None

    def propose(
        self,
        tokens: Sequence[int],
        k_limit: int,
        sampling: SamplingConfig,
        rng: np.random.Generator,
        remaining: int = ...,
    ) -> Proposal: ...

    def observe(self, step: StepEvent) -> None: ...


def _first_proposal(
    drafters: Sequence[Drafter],
    tokens: Sequence[int],
    k: int,
    sampling: SamplingConfig,
    rng: np.random.Generator,
) -> Proposal:
    for d in drafters:
        proposal = d.propose(tokens, k, sampling, rng)
        if proposal.tokens:
            return proposal
    return Proposal()


class SpeculativeSchedule:
    """Draft length from the fixed or adaptive policy; drafters tried in order."""

    def __init__(self, drafters: Sequence[Drafter], cfg: DraftConfig) -> None:
        self.drafters = list(drafters)
        self.policy = make_policy(cfg)
        self.last: Decision | None = None

    def propose(
        self,
        tokens: Sequence[int],
        k_limit: int,
        sampling: SamplingConfig,
        rng: np.random.Generator,
        remaining: int = 0,
    ) -> Proposal:
        k = min(self.policy.next_length(), k_limit)
        return _first_proposal(self.drafters, tokens, k, sampling, rng) if k > 0 else Proposal()

    def observe(self, step: StepEvent) -> None:
        self.policy.observe(len(step.drafted), len(step.accepted))


def make_schedule(drafters: Sequence[Drafter], cfg: DraftConfig, costs: Costs | None) -> Schedule:
    """The schedule the draft config asks for (fastest needs calibrated costs)."""
    if cfg.mode is Mode.FASTEST:
        if costs is None:
            raise ValueError("the fastest mode needs calibrated costs")
        return FastestSchedule(drafters, costs, max(1, cfg.draft_max))
    return SpeculativeSchedule(drafters, cfg)
