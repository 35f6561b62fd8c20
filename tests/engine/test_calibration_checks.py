"""Which calibrations are believed, and when a reply's own batches say the machine changed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from desktop.engine.calibration import MIN_STEPS, Drift, DriftMeter, implausible
from desktop.engine.costmodel import CALIBRATION_VERSION, Costs, cached_costs

CPU = Costs((0.034, 0.055, 0.070, 0.084, 0.098), 0.019)  # llama-bench, 1.5B verifier, 0.5B draft
BUSY_WHEN_MEASURED = Costs((4.0, 4.0, 4.0, 4.0, 4.0), 0.5)  # a busy machine: the 21.51× figure


def test_a_plausible_calibration_passes() -> None:
    assert implausible(CPU) == ""
    assert implausible(Costs((0.010, 0.0102, 0.011), 0.002)) == ""  # a GPU: barely dearer, not free


@pytest.mark.parametrize(
    ("costs", "says"),
    [
        (BUSY_WHEN_MEASURED, "cost no more than one token"),
        (Costs((0.03, 0.03), 0.01), "cost no more than one token"),
        (Costs((0.0, 0.01, 0.02)), "zero"),
        (Costs((0.01, math.inf, math.inf)), "not a number"),
        (Costs((0.01, 0.02), math.nan), "not a number"),
        (Costs((0.01, 0.02), -0.001), "zero or negative"),
        (Costs(()), "no verifier batch"),
    ],
)
def test_implausible_calibrations_are_refused(costs: Costs, says: str) -> None:
    assert says in implausible(costs)


def steps(meter: DriftMeter, batch: int, seconds: float, n: int) -> None:
    for _ in range(n):
        meter.observe(batch, seconds)


def test_no_verdict_before_enough_steps_and_the_first_step_is_warm_up() -> None:
    meter = DriftMeter(CPU)
    meter.observe(5, 100.0)  # the first step after the prompt: warm-up, not counted
    steps(meter, 5, 0.098, MIN_STEPS - 1)
    assert meter.check() is None
    meter.observe(5, 0.098)
    check = meter.check()
    assert check is not None and check.ratio == pytest.approx(1.0) and check.drift is Drift.STEADY


def test_a_sustained_slowdown_is_a_busy_machine() -> None:
    meter = DriftMeter(CPU)
    meter.observe(1, 0.034)
    steps(meter, 5, 0.098 * 1.8, 10)  # batches of 5 take 1.8× as long as calibrated
    steps(meter, 1, 0.034 * 1.8, 10)  # and so do single tokens
    check = meter.check()
    assert check is not None
    assert check.ratio == pytest.approx(1.8)
    assert check.drift is Drift.BUSY


def test_one_slow_batch_moves_nothing() -> None:
    meter = DriftMeter(CPU)
    steps(meter, 5, 0.098, 12)
    meter.observe(5, 5.0)  # another program's burst
    check = meter.check()
    assert check is not None and check.drift is Drift.STEADY


def test_a_reply_much_faster_than_its_calibration_means_it_was_taken_under_load() -> None:
    slow = Costs((0.2, 0.3, 0.4, 0.5, 0.6), 0.1)  # plausible on its face, measured while busy
    meter = DriftMeter(slow)
    steps(meter, 1, 0.034, 1 + MIN_STEPS)  # the reply's own single-token steps
    check = meter.check()
    assert check is not None
    assert check.ratio == pytest.approx(0.17)
    assert check.drift is Drift.STALE


def test_only_recent_steps_decide() -> None:
    meter = DriftMeter(CPU)
    steps(meter, 5, 0.098 * 3, 30)  # busy a while ago
    steps(meter, 5, 0.098, 30)  # quiet now
    check = meter.check()
    assert check is not None and check.drift is Drift.STEADY


def test_an_implausible_cached_entry_is_measured_again_and_a_plausible_one_kept(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    key = f"v{CALIBRATION_VERSION}:pair"
    path.write_text(json.dumps({key: {"verify_s": [4.0] * 5, "draft_token_s": 0.5}}))
    measured: list[Costs] = []

    def measure() -> Costs:
        measured.append(CPU)
        return CPU

    def plausible(costs: Costs) -> bool:
        return not implausible(costs)

    assert cached_costs(path, "pair", measure, plausible) == CPU
    assert len(measured) == 1
    assert json.loads(path.read_text())[key]["verify_s"] == list(CPU.verify_s)  # replaced
    assert cached_costs(path, "pair", measure, plausible) == CPU
    assert len(measured) == 1  # believed now: read, not measured
    assert cached_costs(path, "pair", measure, plausible, refresh=True) == CPU
    assert len(measured) == 2  # Measure again measures whatever is stored


def test_an_implausible_measurement_is_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    costs = cached_costs(path, "pair", lambda: BUSY_WHEN_MEASURED, lambda c: not implausible(c))
    assert costs == BUSY_WHEN_MEASURED  # returned, so the caller can refuse it
    assert not path.exists()


def test_a_draft_slowed_by_load_counts_as_a_busy_machine() -> None:
    # The verifier runs at its calibrated pace, but the draft's 4 tokens take 3x as long as
    # calibrated: the step as a whole is slower than measured, and that is the machine.
    meter = DriftMeter(CPU)
    for _ in range(MIN_STEPS + 2):
        meter.observe(5, CPU.verify(5), draft_tokens=4, draft_s=4 * CPU.draft_token_s * 3.0)
    check = meter.check()
    assert check is not None and check.drift is Drift.BUSY
    steady = DriftMeter(CPU)
    for _ in range(MIN_STEPS + 2):
        steady.observe(5, CPU.verify(5), draft_tokens=4, draft_s=4 * CPU.draft_token_s)
    check = steady.check()
    assert check is not None and check.drift is Drift.STEADY
