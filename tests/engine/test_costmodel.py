"""The cost model's arithmetic and the fastest mode's choices (logic, not timings)."""

from __future__ import annotations

import pytest

from desktop.engine.config import DraftConfig, GenerationConfig, Mode
from desktop.engine.costmodel import (
    AcceptanceEstimate,
    Costs,
    best_length,
    expected_tokens,
    predicted_rate,
    step_seconds,
)
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, diverging

# llama-bench on a CPU: the 1.5B verifier for 1..5 tokens, the 0.5B draft per token.
CPU = Costs(verify_s=(0.034, 0.055, 0.070, 0.084, 0.098), draft_token_s=0.019)
GPU = Costs(verify_s=(0.010, 0.0102, 0.0104, 0.0106, 0.0108, 0.011), draft_token_s=0.002)


def test_expected_tokens_is_the_truncated_geometric_mean() -> None:
    assert expected_tokens(0.0, 4) == 1.0
    assert expected_tokens(1.0, 4) == 5.0
    assert expected_tokens(0.5, 2) == pytest.approx(1 + 0.5 + 0.25)


def test_step_time_and_rate() -> None:
    assert step_seconds(CPU, 4, 0.019) == pytest.approx(4 * 0.019 + 0.098)
    assert predicted_rate(CPU, 0.0, 0, 0.019) == pytest.approx(1 / 0.034)
    # Past the calibrated table the batch cost grows by the last measured increment.
    assert CPU.verify(7) == pytest.approx(0.098 + 2 * 0.014)


def test_on_these_cpu_costs_drafting_never_pays() -> None:
    k, rate = best_length(CPU, 0.9, 8, CPU.draft_token_s)
    assert k == 0
    assert rate == pytest.approx(1 / 0.034)


def test_when_the_batch_is_nearly_free_long_drafts_pay() -> None:
    k, rate = best_length(GPU, 0.85, 8, GPU.draft_token_s)
    assert k >= 3
    assert rate > 1.5 / 0.010
    # A free drafter (n-gram lookup) on the CPU pays once acceptance is high enough.
    assert best_length(CPU, 0.9, 8, 0.0)[0] > 0
    assert best_length(CPU, 0.3, 8, 0.0)[0] == 0


def test_acceptance_estimate_counts_passed_over_tested() -> None:
    est = AcceptanceEstimate(prior=0.5, weight=1e-9, decay=1.0)
    est.observe(drafted=4, accepted=4)  # 4 passed, 4 tested
    est.observe(drafted=4, accepted=1)  # 1 passed, 2 tested
    assert est.alpha == pytest.approx(5 / 6, rel=1e-6)
    est.observe(drafted=0, accepted=0)
    assert est.alpha == pytest.approx(5 / 6, rel=1e-6)


def fastest(k: int = 8, ngram: bool = False) -> GenerationConfig:
    return GenerationConfig(max_tokens=40, draft=DraftConfig(draft_max=k, mode=Mode.FASTEST, ngram=ngram))


def test_fastest_mode_decodes_plainly_when_drafting_cannot_pay() -> None:
    dec = Decoder(FakeModel(), FakeModel())
    dec.costs = CPU
    gen = dec.generate([1, 2, 3], fastest())
    steps = list(gen)
    assert all(s.drafted == () for s in steps)
    assert gen.stats.tokens == 40


def test_fastest_mode_drafts_when_the_batch_is_cheap() -> None:
    dec = Decoder(FakeModel(), FakeModel(diverging({9, 20})))
    dec.costs = GPU
    gen = dec.generate([1, 2, 3], fastest())
    steps = list(gen)
    assert sum(len(s.drafted) for s in steps) > 20


def test_fastest_plan_ranks_options_by_predicted_saving() -> None:
    from desktop.engine.drafters import ModelDrafter, NgramDrafter
    from desktop.engine.schedule import FastestSchedule

    dec = Decoder(FakeModel(), FakeModel())
    drafters = [NgramDrafter(), ModelDrafter(dec.draft)]  # type: ignore[arg-type]
    gpu = FastestSchedule(drafters, GPU, draft_max=8).plan([1, 2, 3], k_limit=8)
    assert gpu[0].drafter is not None and gpu[0].k >= 3
    assert [o.score for o in gpu] == sorted((o.score for o in gpu), reverse=True)
    cpu = FastestSchedule(drafters, CPU, draft_max=8).plan([1, 2, 3], k_limit=8)
    # On the CPU only the free drafter may beat plain decoding; the model drafter never does.
    assert all(o.drafter is None or o.drafter.name == "n-gram" for o in cpu)
    assert FastestSchedule(drafters, GPU, draft_max=8).plan([1, 2, 3], k_limit=0)[0].drafter is None


def test_the_mode_switch_changes_only_the_schedule_not_the_text() -> None:
    texts = set()
    for mode in Mode:
        dec = Decoder(FakeModel(), FakeModel(diverging({6, 7})))
        dec.costs = GPU
        cfg = GenerationConfig(max_tokens=30, draft=DraftConfig(draft_max=4, mode=mode))
        gen = dec.generate([1, 2, 3], cfg)
        list(gen)
        texts.add(gen.text)
    assert len(texts) == 1


def test_fastest_mode_calibrates_on_first_use() -> None:
    dec = Decoder(FakeModel(), FakeModel())
    gen = dec.generate([1, 2, 3], fastest())
    list(gen)
    assert dec.costs is not None and len(dec.costs.verify_s) == 9
    assert dec.verifier.model.cache == gen.tokens[:-1]  # calibration left the cache as it was


def test_an_idle_drafter_drifts_back_toward_the_prior() -> None:
    est = AcceptanceEstimate(prior=0.6)
    for _ in range(3):
        est.observe(drafted=3, accepted=0)
    low = est.alpha
    assert low < 0.3
    for _ in range(100):
        est.forget()
    assert low < est.alpha < 0.6
    assert est.alpha > 0.45


def test_a_draft_that_was_fully_accepted_reads_one_more_token() -> None:
    # alpha 1: every step is fully accepted, so the draft evaluates k + 1 tokens per step.
    assert step_seconds(CPU, 2, 0.019, alpha=1.0) == pytest.approx(3 * 0.019 + 0.070)
    assert step_seconds(CPU, 0, 0.019, alpha=1.0) == pytest.approx(0.034)


def test_a_contention_spike_in_calibration_does_not_inflate_larger_batches() -> None:
    from desktop.engine.costmodel import robust_table

    line = [0.030 + 0.015 * n for n in range(1, 10)]
    spiked = list(line)
    spiked[2] = 1.0  # one busy moment while the batch of 3 was measured
    table = robust_table(spiked)
    assert table == pytest.approx(line, rel=0.01)
    assert list(robust_table(line)) == pytest.approx(line)
    assert list(table) == sorted(table)
