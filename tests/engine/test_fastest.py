"""The fastest mode's decisions: probes that pay, lazy draft prefill, costs that follow the machine."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.engine.config import DraftConfig, GenerationConfig, Mode, SamplingConfig
from desktop.engine.costmodel import AcceptanceEstimate, Costs
from desktop.engine.drafters import ModelDrafter, NgramDrafter, Proposal
from desktop.engine.events import Decision, DecisionKind, StepEvent, StepTimings
from desktop.engine.fastest import FastestSchedule
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, diverging

# llama-bench on a CPU: the 1.5B verifier for 1..5 tokens, the 0.5B draft per token.
CPU = Costs(verify_s=(0.034, 0.055, 0.070, 0.084, 0.098), draft_token_s=0.019)
# A batch of 5 costs 1.2x one token: drafting pays only if acceptance is high enough.
MIDDLE = Costs(verify_s=(0.030, 0.031, 0.032, 0.034, 0.036), draft_token_s=0.010)


def model_drafter(rule=None) -> tuple[ModelDrafter, FakeModel]:
    fake = FakeModel(rule) if rule else FakeModel()
    dec = Decoder(FakeModel(), fake)
    assert dec.draft is not None
    return ModelDrafter(dec.draft), fake


def first_choice(schedule: FastestSchedule, remaining: int = 128) -> Decision:
    return schedule.plan([1, 2, 3], k_limit=8, remaining=remaining)[0].decision


def test_a_draft_that_cannot_pay_at_any_acceptance_is_never_probed() -> None:
    drafter, _ = model_drafter()
    schedule = FastestSchedule([drafter], CPU, draft_max=8)
    assert first_choice(schedule).kind is DecisionKind.PLAIN
    schedule.acceptance[drafter.name] = AcceptanceEstimate(prior=0.99, weight=0.01)
    assert first_choice(schedule).kind is DecisionKind.PLAIN  # not even if it were always right


def test_an_uncertain_drafter_is_probed_only_when_the_reply_is_long_enough_to_pay() -> None:
    drafter, _ = model_drafter()
    schedule = FastestSchedule([drafter], MIDDLE, draft_max=8)
    schedule.acceptance[drafter.name] = AcceptanceEstimate(prior=0.3, weight=2.0)
    assert first_choice(schedule, remaining=128).kind is DecisionKind.PROBE
    assert first_choice(schedule, remaining=2).kind is DecisionKind.PLAIN


def test_a_drafter_known_to_fail_is_not_probed_and_one_known_to_work_is_used() -> None:
    drafter, _ = model_drafter()
    schedule = FastestSchedule([drafter], MIDDLE, draft_max=8)
    schedule.acceptance[drafter.name] = AcceptanceEstimate(prior=0.1, weight=200.0)
    assert first_choice(schedule).kind is DecisionKind.PLAIN
    schedule.acceptance[drafter.name] = AcceptanceEstimate(prior=0.95, weight=200.0)
    choice = first_choice(schedule)
    assert choice.kind is DecisionKind.EXPLOIT and choice.k >= 2


def test_the_draft_model_is_never_prefilled_when_drafting_cannot_pay() -> None:
    draft = FakeModel()
    dec = Decoder(FakeModel(), draft)
    dec.costs = CPU
    cfg = GenerationConfig(max_tokens=40, draft=DraftConfig(draft_max=8, mode=Mode.FASTEST, ngram=True))
    gen = dec.generate(list(range(1, 30)), cfg)
    steps = list(gen)
    assert draft.calls == []  # its decode never ran: no prefill, no drafts
    assert gen.stats.tokens == 40
    assert all(s.decision is not None and s.decision.drafter != "draft model" for s in steps)


def test_the_speculative_draft_reads_the_prompt_after_the_first_token() -> None:
    draft = FakeModel()
    dec = Decoder(FakeModel(), draft)
    gen = dec.generate(list(range(1, 30)), GenerationConfig(max_tokens=20))
    it = iter(gen)
    first = next(it)
    assert first.drafted == () and draft.calls == []  # the first token waited for nobody
    second = next(it)
    assert second.drafted and draft.decoded >= 29
    rest = list(it)
    assert gen.stats.tokens == 20 and gen.stats.acceptance == 1.0
    assert sum(s.timings.draft_tokens for s in [first, second, *rest]) < draft.decoded  # prefill apart


def test_the_fastest_mode_prefills_the_draft_when_it_first_pays() -> None:
    gpu = Costs(verify_s=(0.010, 0.0102, 0.0104, 0.0106, 0.0108, 0.011), draft_token_s=0.002)
    draft = FakeModel(diverging({40}))
    dec = Decoder(FakeModel(), draft)
    dec.costs = gpu
    cfg = GenerationConfig(max_tokens=30, draft=DraftConfig(draft_max=4, mode=Mode.FASTEST))
    steps = list(dec.generate(list(range(1, 20)), cfg))
    assert steps[0].drafted == ()
    using = [s for s in steps if s.drafted]
    assert using and using[0].decision is not None and using[0].decision.catch_up > 1
    assert using[0].timings.draft_tokens >= using[0].decision.catch_up


def step(drafted: int, accepted: int, timings: StepTimings, decision: Decision | None = None) -> StepEvent:
    return StepEvent(
        index=0,
        drafted=tuple(range(1, drafted + 1)),
        accepted=tuple(range(1, accepted + 1)),
        rejected=tuple(range(accepted + 1, drafted + 1)),
        verifier=1,
        pieces=(),
        timings=timings,
        drafter="draft model" if drafted else "",
        decision=decision,
    )


def test_costs_follow_the_machine_from_measured_steps() -> None:
    drafter, _ = model_drafter()
    schedule = FastestSchedule([drafter], MIDDLE, draft_max=8)
    for _ in range(40):  # the machine got twice as slow at verifying, three times at drafting
        schedule.observe(step(0, 0, StepTimings(verify_s=2 * MIDDLE.verify(1))))
        slow = StepTimings(3 * 4 * MIDDLE.draft_token_s, 2 * MIDDLE.verify(5), draft_tokens=4)
        schedule.observe(step(4, 4, slow))
    assert schedule.verify_scale == pytest.approx(2.0, rel=0.01)
    assert schedule.draft_scale == pytest.approx(3.0, rel=0.01)
    assert schedule.costs.verify(1) == pytest.approx(2 * MIDDLE.verify(1), rel=0.01)
    # A catch-up's batched tokens are predicted at batch speed, not read as a slow machine.
    catch_up = Decision(DecisionKind.PROBE, "draft model", 4, catch_up=101)
    fresh = FastestSchedule([drafter], MIDDLE, draft_max=8)
    batched = 100 * MIDDLE.draft_token_s * 0.036 / (5 * 0.030)
    timings = StepTimings(draft_s=batched + 4 * MIDDLE.draft_token_s, draft_tokens=104)
    fresh.observe(step(4, 0, timings, catch_up))
    assert fresh.draft_scale == pytest.approx(1.0, abs=0.01)


def test_one_wild_step_does_not_swing_the_costs() -> None:
    schedule = FastestSchedule([NgramDrafter()], MIDDLE, draft_max=8)
    schedule.observe(step(0, 0, StepTimings(verify_s=100 * MIDDLE.verify(1))))
    assert schedule.verify_scale < 2.0


class Confident:
    """A free drafter that proposes fixed tokens with fixed confidences."""

    name = "suffix"
    model_backed = False
    decode_s = 0.0
    decoded = 0

    def __init__(self, confidence: list[float]) -> None:
        self.confidence = confidence

    def lag(self, tokens) -> int:
        return 0

    def propose(self, tokens, k, sampling, rng) -> Proposal:
        n = min(k, len(self.confidence))
        return Proposal(list(range(1, n + 1)), [], self.name, self.confidence[:n])


def test_a_self_assessed_proposal_is_cut_where_its_tokens_stop_paying() -> None:
    schedule = FastestSchedule([Confident([0.99, 0.98, 0.95, 0.2, 0.2])], CPU, draft_max=8)
    proposal = schedule.propose([1, 2, 3], 8, SamplingConfig(), np.random.default_rng(0))
    # On CPU costs a batch of 4 (3 drafts) pays at these confidences; unlikely tokens do not.
    assert proposal.tokens == [1, 2, 3]
    assert schedule.last is not None and schedule.last.kind is DecisionKind.EXPLOIT
    doubtful = FastestSchedule([Confident([0.5, 0.5])], CPU, draft_max=8)
    assert doubtful.propose([1, 2, 3], 8, SamplingConfig(), np.random.default_rng(0)).tokens == []
    assert doubtful.last is not None and doubtful.last.kind is DecisionKind.PLAIN


def test_each_batch_size_keeps_its_own_scale() -> None:
    schedule = FastestSchedule([NgramDrafter()], MIDDLE, draft_max=8)
    for _ in range(40):  # plain steps as calibrated; batches of 2 take 1.5x their calibration
        schedule.observe(step(0, 0, StepTimings(verify_s=MIDDLE.verify(1))))
        schedule.observe(step(1, 1, StepTimings(verify_s=1.5 * MIDDLE.verify(2))))
    assert schedule.costs.verify(1) == pytest.approx(MIDDLE.verify(1), rel=0.01)
    assert schedule.costs.verify(2) == pytest.approx(1.5 * MIDDLE.verify(2), rel=0.01)
    assert schedule.costs.verify(3) >= schedule.costs.verify(2)  # never cheaper than a smaller batch


def test_when_a_batch_costs_its_tokens_one_by_one_no_drafter_is_even_asked() -> None:
    linear = Costs(verify_s=tuple(0.01 * n for n in range(1, 10)), draft_token_s=0.005)
    asked: list[int] = []

    class Counting(Confident):
        def propose(self, tokens, k, sampling, rng) -> Proposal:
            asked.append(k)
            return super().propose(tokens, k, sampling, rng)

    schedule = FastestSchedule([Counting([1.0] * 8)], linear, draft_max=8)
    assert schedule.propose([1, 2, 3], 8, SamplingConfig(), np.random.default_rng(0)).tokens == []
    assert asked == [] and schedule.last is not None and schedule.last.kind is DecisionKind.PLAIN
