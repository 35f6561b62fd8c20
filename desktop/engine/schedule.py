"""Which drafter drafts, and how many tokens, each step: the two modes.

Speculative always drafts (the first drafter with a proposal wins), so a user can watch the
steps. Fastest compares predicted tokens/s for every drafter and length with plain decoding
and takes the best, zero drafts included, learning acceptance and costs as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from desktop.engine.config import DraftConfig, Mode, SamplingConfig
from desktop.engine.costmodel import AcceptanceEstimate, Costs, predicted_rate
from desktop.engine.drafters import MODEL_DRAFTER, Drafter, Proposal
from desktop.engine.drafting import make_policy
from desktop.engine.events import StepEvent

EMA = 0.2  # weight of a new observation in the running cost estimates


class Schedule(Protocol):
    """Chooses each step's proposal and learns from its outcome."""

    def propose(
        self, tokens: Sequence[int], k_limit: int, sampling: SamplingConfig, rng: np.random.Generator
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

    def propose(
        self, tokens: Sequence[int], k_limit: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal:
        k = min(self.policy.next_length(), k_limit)
        return _first_proposal(self.drafters, tokens, k, sampling, rng) if k > 0 else Proposal()

    def observe(self, step: StepEvent) -> None:
        self.policy.observe(len(step.drafted), len(step.accepted))


class FastestSchedule:
    """Maximise predicted tokens/s each step, with zero drafts as one of the options.

    Calibrated costs are scaled by running ratios of measured to predicted time, so a
    machine that is busier (or quieter) than at calibration is tracked.
    """

    def __init__(self, drafters: Sequence[Drafter], costs: Costs, draft_max: int) -> None:
        self.drafters = list(drafters)
        self.draft_max = draft_max
        self.calibrated = costs
        self.verify_scale = 1.0
        self.draft_scale = 1.0
        self.acceptance = {d.name: AcceptanceEstimate() for d in self.drafters}

    @property
    def costs(self) -> Costs:
        """The calibrated costs as currently scaled."""
        c = self.calibrated
        return Costs(tuple(t * self.verify_scale for t in c.verify_s), c.draft_token_s * self.draft_scale)

    def plan(self, tokens: Sequence[int], k_limit: int) -> list[tuple[float, Drafter | None, int]]:
        """Options as (predicted tokens/s, drafter, length), best first."""
        costs = self.costs
        plain = 1.0 / costs.verify(1)
        options: list[tuple[float, Drafter | None, int]] = [(plain, None, 0)]
        k_max = min(self.draft_max, k_limit)
        for d in self.drafters:
            per_token = costs.draft_token_s if d.model_backed else 0.0
            # A drafter that sat out earlier steps must first read what it missed.
            catch_up = max(0, d.lag(tokens) - 1) * per_token
            alpha = self.acceptance[d.name].alpha
            for k in range(1, k_max + 1):
                rate = predicted_rate(costs, alpha, k, per_token, catch_up)
                if rate > plain:
                    options.append((rate, d, k))
        options.sort(key=lambda o: -o[0])
        return options

    def propose(
        self, tokens: Sequence[int], k_limit: int, sampling: SamplingConfig, rng: np.random.Generator
    ) -> Proposal:
        tried: set[str] = set()
        for _, drafter, k in self.plan(tokens, k_limit):
            if drafter is None:
                return Proposal()
            if drafter.name in tried:
                continue
            proposal = drafter.propose(tokens, k, sampling, rng)
            if proposal.tokens:
                return proposal
            tried.add(drafter.name)  # nothing to propose now, at any length
        return Proposal()

    def observe(self, step: StepEvent) -> None:
        t = step.timings
        c = self.calibrated
        if t.verify_s > 0:
            ratio = t.verify_s / c.verify(len(step.drafted) + 1)
            self.verify_scale += EMA * (ratio - self.verify_scale)
        if step.drafter == MODEL_DRAFTER and step.drafted and t.draft_s > 0 and c.draft_token_s > 0:
            ratio = t.draft_s / (len(step.drafted) * c.draft_token_s)
            self.draft_scale += EMA * (ratio - self.draft_scale)
        for name, estimate in self.acceptance.items():
            if name == step.drafter:
                estimate.observe(len(step.drafted), len(step.accepted))
            else:
                estimate.forget()


def make_schedule(drafters: Sequence[Drafter], cfg: DraftConfig, costs: Costs | None) -> Schedule:
    """The schedule the draft config asks for (fastest needs calibrated costs)."""
    if cfg.mode is Mode.FASTEST:
        if costs is None:
            raise ValueError("the fastest mode needs calibrated costs")
        return FastestSchedule(drafters, costs, max(1, cfg.draft_max))
    return SpeculativeSchedule(drafters, cfg)
