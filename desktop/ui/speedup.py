"""The measured speed-up of a reply against the verifier alone, and how the window says it.

The baseline is the verifier's single-token decode time from the pair's calibration at load
(1 / cost of a batch of one), so the ratio answers: does speculation pay on this machine?
When this reply's own steps (both models' decode calls) take much longer than calibrated, the
machine is busier now than when it was measured, and the window says so instead of blaming the
drafting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop.engine.calibration import BUSY_ABOVE
from desktop.engine.config import Mode
from desktop.engine.costmodel import CALIBRATION_TRIES
from desktop.engine.events import GenerationStats

SLOWER_BELOW = 0.97  # the fastest mode's promise: never meaningfully slower than this
FASTER_ABOVE = 1.03
MIN_TOKENS = 16  # fewer, and the first steps' warm-up decides the ratio: no verdict yet


NO_BASELINE = (
    "There is no verifier-alone speed to compare this reply with: none was measured, or the one "
    "measured when the pair loaded could not be right (for instance a batch of several tokens no "
    "dearer than one, which happens when other programs slow the measurement down), so it was "
    "set aside rather than shown as a figure. Use “Measure again” when the machine is quieter."
)


class Verdict(enum.Enum):
    EARLY = "early"
    SLOWER = "slower"
    EVEN = "even"
    FASTER = "faster"


@dataclass(frozen=True, slots=True)
class Speedup:
    """A reply's decoding tokens/s over the verifier-alone tokens/s."""

    reply_tps: float
    baseline_tps: float
    tokens: int = MIN_TOKENS
    drift: float | None = 1.0  # this reply's verifier batch times over the calibrated; None: not yet known

    @property
    def ratio(self) -> float:
        return self.reply_tps / self.baseline_tps

    @property
    def busy(self) -> bool:
        """The verifier runs much slower now than when the baseline was measured."""
        return self.drift is not None and self.drift > BUSY_ABOVE

    @property
    def verdict(self) -> Verdict:
        if self.tokens < MIN_TOKENS or self.drift is None:
            return Verdict.EARLY  # a slow machine and slow drafting look alike until then
        if self.ratio < SLOWER_BELOW:
            return Verdict.SLOWER
        return Verdict.FASTER if self.ratio > FASTER_ABOVE else Verdict.EVEN


def measure(stats: GenerationStats, baseline_tps: float, drift: float | None = 1.0) -> Speedup | None:
    """None until there is a step to measure and a baseline to measure it against."""
    if baseline_tps <= 0 or stats.steps == 0 or stats.tokens_per_s <= 0:
        return None
    return Speedup(stats.tokens_per_s, baseline_tps, stats.tokens, drift)


def words(speedup: Speedup, mode: Mode) -> str:
    """What the ratio means, short enough for the stats strip."""
    if speedup.verdict is Verdict.EARLY:
        # With enough tokens but the pace not yet checked, the tooltip says why.
        return "too few tokens to tell" if speedup.tokens < MIN_TOKENS else "too early to tell"
    if speedup.busy:
        return f"the machine looks busy (steps take {speedup.drift:.1f}× longer than when measured)"
    if speedup.verdict is Verdict.SLOWER:
        return "slower, try Fastest mode" if mode is Mode.SPECULATIVE else "slower"
    return "faster" if speedup.verdict is Verdict.FASTER else "about even"


def explain(speedup: Speedup, mode: Mode) -> str:
    """The tooltip: what was divided by what, and where the baseline came from."""
    ms = 1000.0 / speedup.baseline_tps
    lines = [
        f"This reply decodes {speedup.reply_tps:.1f} tokens/s; the verifier alone decodes "
        f"{speedup.baseline_tps:.1f} tokens/s on this machine: {speedup.ratio:.2f}×.",
        f"The verifier-alone speed was measured when the pair loaded: one verifier token takes "
        f"{ms:.1f} ms: batches of 1 to 9 tokens are each timed {CALIBRATION_TRIES} times after two "
        "warm-up batches, the fastest try of each kept (other programs can only slow a try down), "
        "and a size that lies above a robust straight line through them is lowered to it. "
        "It is kept per models, llama.cpp build and machine, and measured again when a reply "
        "shows it was taken under load. "
        "Reading the prompt is counted in neither.",
    ]
    if speedup.busy and speedup.drift is not None:
        now = speedup.reply_tps * ms / 1000.0 * speedup.drift
        lines.append(
            f"This reply's steps (both models' decode calls) took {speedup.drift:.1f}× as long as the "
            "calibration predicts: the machine is busier now, so the ratio says more about the load "
            f"than about drafting. Against the verifier alone at this pace it is about {now:.2f}×. "
            "Use “Measure again” when the machine is quieter."
        )
    elif speedup.verdict is Verdict.EARLY and speedup.tokens >= MIN_TOKENS:
        lines.append(
            "No verdict yet: until enough steps have been timed, a machine busier than when the "
            "baseline was measured and drafting that does not pay look the same."
        )
    elif speedup.verdict is Verdict.SLOWER and mode is Mode.SPECULATIVE:
        lines.append(
            "Here a verifier batch costs nearly as much as decoding its tokens one by one, so "
            "drafting does not pay. Fastest mode (Model pair › Drafting) drafts only when it does."
        )
    elif speedup.verdict is Verdict.SLOWER:
        lines.append("Fastest mode stays near 1× or above over a reply; its first steps are noisy.")
    return "<br>".join(lines)
