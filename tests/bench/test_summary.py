"""The bench's arithmetic on hand-made numbers: medians, side-by-side ratios, the cost model's
prediction against the measurement, and each target's verdict."""

from __future__ import annotations

import pytest

from desktop.bench.memory import ExpectedMemory
from desktop.bench.report import format_table
from desktop.bench.runner import Sample
from desktop.bench.summary import (
    best_of,
    config_row,
    median,
    per_token_acceptance,
    predicted_rate,
    ratios,
    summarise,
)
from desktop.bench.targets import Target
from desktop.engine.costmodel import Costs

COSTS = Costs(verify_s=(0.1, 0.15, 0.2), draft_token_s=0.05)
PREDICTED = 2.3125 / ((2 + 0.75**2) * 0.05 + 0.2)
PLAIN, K2, FASTEST = "verifier alone", "draft k=2", "fastest"


def sample(prompt: str, config: str, rate: float, engine: str = "tandem", **kw: object) -> Sample:
    return Sample(prompt_id=prompt, config=config, engine=engine, tokens=10, tokens_per_s=rate, **kw)  # type: ignore[arg-type]


def suite_samples() -> list[Sample]:
    out = []
    for p, plain, k2, fast in [("p1", 10.0, 5.0, 9.8), ("p2", 20.0, 30.0, 20.0), ("p3", 30.0, 15.0, 30.0)]:
        out.append(sample(p, PLAIN, plain, steps=10, verify_s=0.97, other_s=0.03, peak_rss=1000))
        out.append(
            sample(
                p,
                K2,
                k2,
                steps=4,
                drafted=8,
                accepted=6,
                rejections=2,
                draft_s=0.4,
                verify_s=0.58,
                other_s=0.02,
                peak_rss=1200,
            )
        )
        out.append(sample(p, FASTEST, fast, steps=8, verify_s=0.99, other_s=0.01, peak_rss=1100))
    return out


def test_median_of_odd_and_even_counts() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5


def test_per_prompt_ratios_are_side_by_side() -> None:
    r = ratios(suite_samples(), K2, PLAIN)
    assert r == pytest.approx({"p1": 0.5, "p2": 1.5, "p3": 0.5})


def test_per_token_acceptance_counts_one_failed_test_per_rejecting_step() -> None:
    assert per_token_acceptance(6, 2) == pytest.approx(0.75)
    assert per_token_acceptance(0, 0) is None


def test_predicted_rate_from_the_cost_model() -> None:
    # alpha 0.75, k 2: 1 + 0.75 + 0.5625 tokens per step of (2 + 0.75^2) x 0.05 + 0.2 s
    # (after a fully accepted step the draft reads one more token).
    assert predicted_rate(COSTS, 0.75, 2) == pytest.approx(PREDICTED)
    assert predicted_rate(COSTS, 0.0, 0) == pytest.approx(10.0)


def test_config_row_pools_counts_and_takes_medians_of_rates() -> None:
    row = config_row(suite_samples(), K2, PLAIN, fixed_k=2, costs=COSTS)
    assert row.prompts == 3
    assert row.tokens_per_s == 15.0
    assert (row.tokens_per_s_min, row.tokens_per_s_max) == (5.0, 30.0)
    assert row.speedup == pytest.approx(0.5)
    assert row.speedup_min == pytest.approx(0.5)
    assert row.acceptance == pytest.approx(0.75)
    assert row.alpha == pytest.approx(0.75)
    assert row.tokens_per_step == pytest.approx(30 / 12)
    assert row.draft_share == pytest.approx(0.4)
    assert row.verify_share == pytest.approx(0.58)
    assert row.other_share == pytest.approx(0.02)
    assert row.peak_rss == 1200
    assert row.pooled_rate == pytest.approx(30 / 3.0)
    assert row.predicted_rate == pytest.approx(PREDICTED)
    # Per prompt: 7.05 predicted against 5, 30 and 15 measured; the median error is p3's.
    assert row.prediction_error == pytest.approx(PREDICTED / 15.0 - 1)


def test_target_verdicts() -> None:
    assert Target("a", 0.98, 0.97, True).met is True
    assert Target("a", 0.96, 0.97, True).met is False
    assert Target("b", 0.03, 0.03, False).met is True
    assert Target("b", 0.031, 0.03, False).met is False
    assert Target("c", None, 1.0, True).met is None


def _target(report_targets: list[Target], prefix: str) -> Target:
    return next(t for t in report_targets if t.name.startswith(prefix))


def test_summary_checks_every_target() -> None:
    order = [(PLAIN, 0), (K2, 2), (FASTEST, None)]
    memory = ExpectedMemory(files=900, kv_caches=100)
    report = summarise(suite_samples(), order, COSTS, peak_rss=1500, memory=memory)
    t = report.targets
    # The fastest mode's worst prompt is p1 at 9.8 / 10.
    fastest = _target(t, "fastest >= 0.98x")
    assert fastest.measured == pytest.approx(0.98) and fastest.met and "p1" in fastest.detail
    assert _target(t, "fastest >= 1.0x verifier alone by median").measured == pytest.approx(1.0)
    # Best fixed length in hindsight is k=0 (median 20 against 15); fastest/plain per prompt: .98, 1, 1.
    best = _target(t, "fastest within 5%")
    assert best.measured == pytest.approx(1.0) and best.met and "verifier alone" in best.detail
    python = _target(t, "Python share")
    assert python.measured == pytest.approx(0.03) and python.met and "verifier alone" in python.detail
    mem = _target(t, "peak RSS")
    assert mem.measured == pytest.approx(1.5) and mem.met is False
    cost = _target(t, "cost model")
    # Plain predicts 10 tok/s against 10, 20, 30 measured: median error -50%; k=2's -53% is worse.
    assert cost.measured == pytest.approx(1 - PREDICTED / 15.0) and "k=2" in cost.detail


def test_native_comparisons_and_llama_bench_target() -> None:
    samples = (
        suite_samples()
        + [
            sample(p, "llama-server plain", r, engine="llama-server")
            for p, r in [("p1", 10.0), ("p2", 25.0), ("p3", 30.0)]
        ]
        + [
            sample(p, "llama-server k=2", r, engine="llama-server", drafted=8, accepted=6)
            for p, r in [("p1", 4.0), ("p2", 30.0), ("p3", 20.0)]
        ]
    )
    order = [(PLAIN, 0), (K2, 2), ("llama-server plain", None), ("llama-server k=2", None)]
    pairs = [(PLAIN, "llama-server plain"), (K2, "llama-server k=2")]
    report = summarise(
        samples, order, COSTS, native_pairs=pairs, native_baseline="llama-server plain", llama_bench_tg=25.0
    )
    plain_cmp, k2_cmp = report.comparisons
    assert plain_cmp.ratio == pytest.approx(1.0) and plain_cmp.ratio_min == pytest.approx(0.8)
    assert k2_cmp.ratio == pytest.approx(1.0) and k2_cmp.ratio_min == pytest.approx(0.75)
    native_k2 = next(r for r in report.rows if r.name == "llama-server k=2")
    assert native_k2.speedup == pytest.approx(20 / 30)  # against llama-server plain: 0.4, 1.2, 0.667
    assert native_k2.acceptance == pytest.approx(0.75)
    assert native_k2.other_share is None and native_k2.predicted_rate is None
    bench = _target(report.targets, "verifier alone >= 0.97x llama-bench")
    assert bench.measured == pytest.approx(20.0 / 25.0) and bench.met is False
    server = _target(report.targets, "draft k=2 >= 1.0x")
    assert server.measured == pytest.approx(1.0) and server.met
    text = format_table(report)
    assert "llama-bench tg rate: 25.0" in text and "MISSED" in text and "MET" in text


def test_repeated_rounds_keep_each_configs_best() -> None:
    slow, fast = sample("p1", K2, 5.0), sample("p1", K2, 9.0)
    other = sample("p2", K2, 1.0)
    assert sorted(s.tokens_per_s for s in best_of([slow, fast, other])) == [1.0, 9.0]
    report = summarise([slow, fast, sample("p1", PLAIN, 10.0)], [(PLAIN, 0), (K2, 2)], COSTS)
    assert report.rows[1].tokens_per_s == 9.0
