"""The fastest mode: each step, the option with the most seconds saved over plain decoding.

An option is plain decoding, or a drafter with a draft length. A drafter whose acceptance is
predicted to pay is used ("exploit"). One that is not may still be tried ("probe") when what
the probe is expected to teach is worth more than the time it is expected to lose: the
acceptance is uncertain (a Beta posterior over a grid), the gain if it turned out high is
counted over the rest of the reply, and a probe of k tokens resolves about k / (n + k) of the
uncertainty. A drafter that cannot pay at any acceptance is never probed, so a draft model
that never pays on this machine is never even prefilled. Costs follow the machine's current
speed: running ratios of measured to predicted seconds scale the calibration, one per verify
batch size (a busy machine slows a batch of 2 more than a single token) and one for the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from desktop.engine.config import SamplingConfig
from desktop.engine.costmodel import (
    AcceptanceEstimate,
    Costs,
    batch_factor,
    catch_up_seconds,
    expected_tokens,
    step_seconds,
)
from desktop.engine.drafters import Drafter, Proposal
from desktop.engine.events import Decision, StepEvent

EMA = 0.2  # weight of a new observation in the running cost scales
HORIZON = 128  # tokens of the reply a decision looks ahead (replies often end before the budget)
GRID = np.linspace(0.025, 0.975, 39)  # acceptance values the posterior is evaluated on
RATIO_RANGE = (0.2, 5.0)  # one step measured off by more than this is noise, not a new speed


def saving(costs: Costs, alpha: float, k: int, per: float, horizon: float) -> float:
    """Seconds saved over `horizon` tokens by drafting k tokens a step at acceptance alpha."""
    per_token = step_seconds(costs, k, per, 0.0, alpha) / expected_tokens(alpha, k)
    return horizon * (costs.verify(1) - per_token)


def grid_savings(costs: Costs, k_max: int, per: float, horizon: float) -> np.ndarray:
    """`saving` at the best k in 1..k_max for every acceptance on GRID (vectorised)."""
    x = GRID
    out = np.full(len(x), -np.inf)
    for k in range(1, k_max + 1):
        seconds = (k + x**k) * per + costs.verify(k + 1)
        tokens = (1.0 - x ** (k + 1)) / (1.0 - x)
        out = np.maximum(out, horizon * (costs.verify(1) - seconds / tokens))
    return out


@dataclass(frozen=True, slots=True)
class Option:
    """A candidate for the next step; `score` is the seconds it is expected to save over the
    horizon (exploit) or the expected value of what a probe teaches, net of its cost."""

    score: float
    drafter: Drafter | None
    k: int
    decision: Decision
    proposal: Proposal | None = None  # already made (a free drafter that assesses itself)


def posterior(estimate: AcceptanceEstimate) -> np.ndarray:
    """Weights over GRID ∝ x^passed (1 - x)^failed (the decayed counts include the prior)."""
    passed = estimate.passed
    failed = max(0.0, estimate.tested - estimate.passed)
    logw = passed * np.log(GRID) + failed * np.log1p(-GRID)
    w = np.exp(logw - logw.max())
    return np.asarray(w / w.sum())


class FastestSchedule:
    """Maximise the predicted seconds saved each step, with zero drafts as one of the options."""

    def __init__(self, drafters: Sequence[Drafter], costs: Costs, draft_max: int) -> None:
        self.drafters = list(drafters)
        self.draft_max = draft_max
        self.calibrated = costs
        self.verify_scale = 1.0  # all batch sizes, for sizes not measured yet
        self.size_scale: dict[int, float] = {}  # per verify batch size
        self.draft_scale = 1.0
        self.acceptance = {d.name: AcceptanceEstimate() for d in self.drafters}
        self.last: Decision | None = None

    @property
    def costs(self) -> Costs:
        """The calibrated costs as currently scaled."""
        c = self.calibrated
        scaled = tuple(t * self.size_scale.get(n, self.verify_scale) for n, t in enumerate(c.verify_s, 1))
        # A slower small batch must not make a larger one look cheaper than it.
        verify = tuple(max(scaled[: i + 1]) for i in range(len(scaled)))
        return Costs(verify, c.draft_token_s * self.draft_scale)

    def _decision(self, kind: str, d: Drafter | None, k: int, alpha: float, lag: int) -> Decision:
        costs = self.costs
        per = costs.draft_token_s if d is not None and d.model_backed else 0.0
        seconds = step_seconds(costs, k, per, 0.0, alpha) + catch_up_seconds(costs, lag, per)
        return Decision(
            kind=kind,
            drafter=d.name if d is not None else "",
            k=k,
            alpha=alpha,
            predicted_s=seconds,
            predicted_tokens=expected_tokens(alpha, k),
            plain_s=costs.verify(1),
            catch_up=lag if per > 0 else 0,
            verify_scale=self.verify_scale,
            draft_scale=self.draft_scale,
        )

    def plan(
        self,
        tokens: Sequence[int],
        k_limit: int,
        remaining: int = HORIZON,
        sampling: SamplingConfig | None = None,
        rng: np.random.Generator | None = None,
    ) -> list[Option]:
        """Every option worth taking, best first; plain decoding (score 0) is always there.

        With `sampling` and `rng`, drafters without a model are asked for their proposal
        here; one that says how likely each token is to be kept is judged on that proposal.
        """
        costs = self.costs
        horizon = float(max(1, min(remaining, HORIZON)))
        k_max = min(self.draft_max, k_limit)
        plain = Option(0.0, None, 0, self._decision("plain", None, 0, 0.0, 0))
        if k_max <= 0:
            return [plain]
        exploit: list[Option] = []
        unsure: list[tuple[Drafter, float, int]] = []
        for d in self.drafters:
            if not d.model_backed and sampling is not None and rng is not None:
                # Free to ask: take its proposal now and judge it by its own confidence.
                proposal = d.propose(tokens, k_max, sampling, rng)
                if proposal.confidence:
                    option = self._confident(costs, proposal, horizon)
                    if option is not None:
                        exploit.append(Option(option[0], d, option[1], option[2], option[3]))
                    continue
            per = costs.draft_token_s if d.model_backed else 0.0
            lag = d.lag(tokens)
            sunk = catch_up_seconds(costs, lag, per)
            alpha = self.acceptance[d.name].alpha
            best = max((saving(costs, alpha, k, per, horizon) - sunk, k) for k in range(1, k_max + 1))
            if best[0] > 0.0:
                exploit.append(Option(best[0], d, best[1], self._decision("exploit", d, best[1], alpha, lag)))
            else:
                unsure.append((d, per, lag))
        best_exploit = max((o.score for o in exploit), default=0.0)
        probes = [self._probe(costs, d, per, lag, horizon, k_max, best_exploit) for d, per, lag in unsure]
        options = [*exploit, *(p for p in probes if p is not None), plain]
        options.sort(key=lambda o: -o.score)
        return options

    def _confident(
        self, costs: Costs, proposal: Proposal, horizon: float
    ) -> tuple[float, int, Decision, Proposal] | None:
        """The prefix of a self-assessed proposal that saves the most this step, if any."""
        t0 = costs.verify(1)
        expected, kept = 1.0, 1.0
        best: tuple[float, int, float] | None = None
        for j, c in enumerate(proposal.confidence, start=1):
            kept *= c
            expected += kept
            saved = expected * t0 - costs.verify(j + 1)
            if saved > 0.0 and (best is None or saved / expected > best[0]):
                best = (saved / expected, j, expected)
        if best is None:
            return None
        per_token, j, expected = best
        decision = replace(
            self._decision("exploit", None, j, 0.0, 0),
            drafter=proposal.drafter,
            alpha=sum(proposal.confidence[:j]) / j,
            predicted_s=costs.verify(j + 1),
            predicted_tokens=expected,
        )
        return horizon * per_token, j, decision, proposal.truncated(j)

    def _probe(
        self, costs: Costs, d: Drafter, per: float, lag: int, horizon: float, k_max: int, incumbent: float
    ) -> Option | None:
        """A probe of `d` if what it is expected to teach outweighs what it is expected to cost."""
        estimate = self.acceptance[d.name]
        if all(saving(costs, float(GRID[-1]), k, per, horizon) <= incumbent for k in range(1, k_max + 1)):
            return None  # cannot pay even at the highest acceptance: nothing to learn
        gains = grid_savings(costs, k_max, per, horizon)
        # Worth knowing only where d would beat the incumbent (catch-up is sunk once probed).
        value = float(posterior(estimate) @ np.maximum(0.0, gains - incumbent))
        if value <= 0.0:
            return None
        alpha = estimate.alpha
        sunk = catch_up_seconds(costs, lag, per)
        best: Option | None = None
        for k in range(1, k_max + 1):
            learned = k / (estimate.tested + k)
            seconds = step_seconds(costs, k, per, 0.0, alpha) + sunk
            lost = seconds - expected_tokens(alpha, k) * costs.verify(1)
            net = learned * value - max(0.0, lost)
            if net > 0.0 and (best is None or net > best.score):
                best = Option(net, d, k, self._decision("probe", d, k, alpha, lag))
        return best

    def propose(
        self,
        tokens: Sequence[int],
        k_limit: int,
        sampling: SamplingConfig,
        rng: np.random.Generator,
        remaining: int = HORIZON,
    ) -> Proposal:
        tried: set[str] = set()
        for option in self.plan(tokens, k_limit, remaining, sampling, rng):
            d = option.drafter
            if d is None:
                self.last = option.decision
                return Proposal()
            if option.proposal is not None:
                self.last = option.decision
                return option.proposal
            if d.name in tried:
                continue
            proposal = d.propose(tokens, option.k, sampling, rng)
            if proposal.tokens:
                self.last = option.decision
                return proposal
            tried.add(d.name)  # nothing to propose now, at any length
        self.last = self._decision("plain", None, 0, 0.0, 0)
        return Proposal()

    def observe(self, step: StepEvent) -> None:
        t = step.timings
        c = self.calibrated
        lo, hi = RATIO_RANGE
        if t.verify_s > 0:
            n = len(step.drafted) + 1
            ratio = min(hi, max(lo, t.verify_s / c.verify(n)))
            self.verify_scale += EMA * (ratio - self.verify_scale)
            if n <= len(c.verify_s):
                old = self.size_scale.get(n, self.verify_scale)
                self.size_scale[n] = old + EMA * (ratio - old)
        if t.draft_tokens > 0 and t.draft_s > 0 and c.draft_token_s > 0:
            # Catch-up tokens were read in batches, the rest one at a time.
            lag = step.decision.catch_up if step.decision is not None else 0
            batched = min(max(0, lag - 1), t.draft_tokens)
            single = t.draft_tokens - batched
            predicted = c.draft_token_s * (single + batched * batch_factor(c))
            ratio = t.draft_s / predicted
            self.draft_scale += EMA * (min(hi, max(lo, ratio)) - self.draft_scale)
        for name, estimate in self.acceptance.items():
            if name == step.drafter:
                estimate.observe(len(step.drafted), len(step.accepted))
            else:
                estimate.forget()
