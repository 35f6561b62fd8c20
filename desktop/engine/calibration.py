"""Whether a calibration can be believed, and whether this machine still runs at its pace.

A calibration taken while the machine was busy (seconds per token for a small model) is
refused when it is impossible on its face, and caught later by comparing it with what each
reply's own verifier batches measure: that is the baseline the speed-up figure divides by.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import deque
from dataclasses import dataclass

from desktop.engine.costmodel import Costs

BUSY_ABOVE = 1.5  # batches this much slower than calibrated: the machine is busier now
STALE_BELOW = 0.67  # this much faster: the calibration was taken under load, measure again
MIN_STEPS = 8  # fewer steps and one slow batch could decide: no verdict yet
WINDOW = 24  # the most recent steps that decide, so a load that came and went is forgotten
SKIP_STEPS = 1  # the first step after reading the prompt pays for warm-up, not for the load
MIN_TIMED_S = 5e-4  # batches predicted faster than this are timer and Python noise: not compared


def implausible(costs: Costs) -> str:
    """Why these costs cannot be this machine's ("" when they can be)."""
    table = costs.verify_s
    if not table:
        return "no verifier batch was measured"
    if not all(math.isfinite(v) for v in (*table, costs.draft_token_s)):
        return "a measured time is not a number"
    if min(table) <= 0 or costs.draft_token_s < 0:
        return "a measured time is zero or negative"
    if len(table) > 1 and table[-1] <= table[0]:
        # Every real machine pays something per extra token; equal costs mean a single-token
        # time inflated by contention, raised the whole table.
        return f"a batch of {len(table)} tokens cost no more than one token"
    return ""


class Drift(enum.Enum):
    """How this reply's verifier batches compare with the calibrated costs."""

    STEADY = "steady"
    BUSY = "busy"  # slower now: the machine is busier than when it was measured
    STALE = "stale"  # faster now: the calibration was taken under load


@dataclass(frozen=True, slots=True)
class DriftCheck:
    """The median ratio of measured to calibrated verifier time over recent steps."""

    ratio: float
    steps: int

    @property
    def drift(self) -> Drift:
        if self.ratio > BUSY_ABOVE:
            return Drift.BUSY
        return Drift.STALE if self.ratio < STALE_BELOW else Drift.STEADY


class DriftMeter:
    """Compares each step's verifier time with what the calibration predicts for its batch.

    A median over a window of recent steps: one slow batch (a page fault, another app's
    burst) moves nothing; only a sustained change does.
    """

    def __init__(self, costs: Costs) -> None:
        self.costs = costs
        self._seen = 0
        self._ratios: deque[float] = deque(maxlen=WINDOW)

    def observe(self, batch: int, verify_s: float, draft_tokens: int = 0, draft_s: float = 0.0) -> None:
        """One step's verifier batch of `batch` tokens took `verify_s` seconds, and the draft
        model evaluated `draft_tokens` in `draft_s`: both models' time against what the
        calibration predicts, since a busy machine slows the draft's decode calls as well."""
        self._seen += 1
        predicted = self.costs.verify(batch) + max(0, draft_tokens) * self.costs.draft_token_s
        if self._seen <= SKIP_STEPS or batch < 1 or verify_s <= 0 or predicted < MIN_TIMED_S:
            return
        self._ratios.append((verify_s + max(0.0, draft_s)) / predicted)

    def check(self) -> DriftCheck | None:
        """None until enough steps were measured."""
        if len(self._ratios) < MIN_STEPS:
            return None
        return DriftCheck(statistics.median(self._ratios), len(self._ratios))
