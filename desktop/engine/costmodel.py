"""What a step costs and what it yields: predicts tokens/s for each draft length.

A step with draft length k costs k draft tokens plus one verifier batch of k + 1 tokens,
and with a per-token acceptance rate a it yields (1 - a^(k+1)) / (1 - a) tokens on average
(the accepted prefix is geometric; the verifier always adds one). Calibration measures the
costs once per model, build and machine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from desktop.engine.cache import CachedModel

MAX_CALIBRATED_BATCH = 9
CALIBRATION_TRIES = 3  # each batch size is timed this often and the fastest try kept
CALIBRATION_VERSION = 3  # bump when the measuring method changes, so old entries are re-measured


@dataclass(frozen=True, slots=True)
class Costs:
    """Seconds for a verifier batch of 1..N tokens, and for one draft-model token."""

    verify_s: tuple[float, ...]
    draft_token_s: float = 0.0

    def verify(self, n: int) -> float:
        """Cost of a verifier batch of `n` tokens, extrapolated linearly past the table."""
        table = self.verify_s
        if n <= len(table):
            return table[n - 1]
        slope = table[-1] - table[-2] if len(table) > 1 else table[-1]
        return table[-1] + slope * (n - len(table))


def batch_factor(costs: Costs) -> float:
    """Cost of one token inside the largest calibrated batch relative to one token alone.

    Used to estimate a draft model's catch-up (its lazy prefill) from its one-token cost:
    a documented estimate, since only the verifier's batches are calibrated.
    """
    n = len(costs.verify_s)
    return min(1.0, costs.verify(n) / (n * costs.verify(1)))


def catch_up_seconds(costs: Costs, lag: int, draft_token_s: float) -> float:
    """Seconds a drafter needs to read the `lag - 1` tokens it missed before a step (the last
    token is read by every step and counted in `step_seconds`)."""
    if lag <= 1 or draft_token_s <= 0.0:
        return 0.0
    return (lag - 1) * draft_token_s * batch_factor(costs)


def expected_tokens(alpha: float, k: int) -> float:
    """Mean tokens a step adds with k drafted tokens each accepted with probability alpha."""
    if alpha >= 1.0:
        return float(k + 1)
    return (1.0 - alpha ** (k + 1)) / (1.0 - alpha)


def step_seconds(
    costs: Costs, k: int, draft_token_s: float, overhead_s: float = 0.0, alpha: float = 0.0
) -> float:
    """Predicted wall time of one step with draft length k.

    After a fully accepted step (probability alpha^k) the draft has one more token to read
    before it can draft again, so it evaluates k + alpha^k tokens per step on average.
    """
    draft_tokens = k + alpha**k if k > 0 else 0.0
    return draft_tokens * draft_token_s + costs.verify(k + 1) + overhead_s


def predicted_rate(
    costs: Costs, alpha: float, k: int, draft_token_s: float, overhead_s: float = 0.0
) -> float:
    """Predicted tokens per second for draft length k."""
    return expected_tokens(alpha, k) / step_seconds(costs, k, draft_token_s, overhead_s, alpha)


def best_length(
    costs: Costs, alpha: float, k_max: int, draft_token_s: float, overhead_s: float = 0.0
) -> tuple[int, float]:
    """The draft length in 0..k_max with the highest predicted tokens/s, and that rate."""
    rates = [(predicted_rate(costs, alpha, k, draft_token_s, overhead_s), -k) for k in range(k_max + 1)]
    rate, neg_k = max(rates)
    return -neg_k, rate


class AcceptanceEstimate:
    """Per-token acceptance rate from recent steps, with exponential forgetting.

    In a step that drafted k tokens and accepted n, n tokens passed the test and, when
    n < k, one failed; the estimate is passed / tested.
    """

    def __init__(self, prior: float = 0.6, weight: float = 2.0, decay: float = 0.9) -> None:
        self.prior, self.weight = prior, weight
        self.passed = prior * weight
        self.tested = weight
        self.decay = decay

    @property
    def alpha(self) -> float:
        return min(self.passed / self.tested, 0.999)

    def observe(self, drafted: int, accepted: int) -> None:
        if drafted == 0:
            return
        self.passed = self.passed * self.decay + accepted
        self.tested = self.tested * self.decay + accepted + (1 if accepted < drafted else 0)

    def forget(self, rate: float = 0.02) -> None:
        """Drift back toward the prior while this drafter is not used, so a few early
        rejections do not rule it out for the rest of a reply."""
        self.passed += rate * (self.prior * self.weight - self.passed)
        self.tested += rate * (self.weight - self.tested)


def measure_batches(
    model: CachedModel, sizes: Sequence[int], reps: int = 3, token: int = 0
) -> tuple[float, ...]:
    """Seconds to decode a batch of each size after the model's cached text, leaving the
    cache as it was: the fastest of `reps` tries (contention only ever slows a run down),
    made non-decreasing in the batch size. Warm-up batches first: the first decodes
    allocate buffers.
    """
    start = len(model.tokens)
    out = []
    for _ in range(2):
        model.extend([token] * max(sizes), 1)
        model.rewind(start)
    for n in sizes:
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model.extend([token] * n, n)
            times.append(time.perf_counter() - t0)
            model.rewind(start)
        out.append(min(times))
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1])
    return tuple(out)


def robust_table(times: Sequence[float]) -> tuple[float, ...]:
    """Batch costs for sizes 1..n with contention spikes removed, non-decreasing.

    A line a + b n is fitted by Theil-Sen (median of pairwise slopes: one spike cannot move
    it); each size keeps the lower of its measurement and the line, since contention only
    ever slows a measurement down, so a spike at one size no longer inflates every larger one.
    """
    n = len(times)
    if n < 3:
        out = list(times)
    else:
        slopes = sorted((times[j] - times[i]) / (j - i) for i in range(n) for j in range(i + 1, n))
        slope = max(0.0, slopes[len(slopes) // 2])
        intercept = sorted(t - slope * (i + 1) for i, t in enumerate(times))[n // 2]
        out = [min(t, max(intercept + slope * (i + 1), 0.5 * times[0])) for i, t in enumerate(times)]
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1])
    return tuple(out)


def calibrate(
    verifier: CachedModel,
    draft: CachedModel | None,
    n_max: int = MAX_CALIBRATED_BATCH,
    reps: int = 5,
    token: int = 0,
) -> Costs:
    """Measure the verifier's batch costs for 1..n_max tokens and the draft's per-token cost."""
    verify = robust_table(measure_batches(verifier, range(1, n_max + 1), reps, token))
    draft_s = measure_batches(draft, [1], reps, token)[0] if draft is not None else 0.0
    return Costs(verify, draft_s)


def cached_costs(
    path: Path,
    key: str,
    measure: Callable[[], Costs],
    accept: Callable[[Costs], bool] = lambda costs: True,
    refresh: bool = False,
) -> Costs:
    """Costs stored under `key` in the JSON file at `path`, measured and stored if absent.

    An entry `accept` refuses is measured again, and a measurement it refuses is returned but
    never stored; `refresh` measures again whatever is stored.
    """
    try:
        table = json.loads(path.read_text())
    except (OSError, ValueError):
        table = {}
    key = f"v{CALIBRATION_VERSION}:{key}"
    entry = table.get(key)
    if isinstance(entry, dict) and not refresh:
        try:
            stored = Costs(tuple(entry["verify_s"]), float(entry["draft_token_s"]))
        except (KeyError, TypeError, ValueError):
            pass
        else:
            if accept(stored):
                return stored
    costs = measure()
    if not accept(costs):
        return costs
    table[key] = asdict(costs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(table, indent=1))
    tmp.replace(path)
    return costs
