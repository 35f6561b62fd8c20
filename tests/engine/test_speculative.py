"""The speculative loop with scripted fake models: sources, rollback, cancel, reuse."""

from __future__ import annotations

import threading

import pytest

from desktop.engine.config import DraftConfig, DraftPolicy, GenerationConfig
from desktop.engine.events import FinishReason, Source
from desktop.engine.speculative import Decoder
from tests.fakes import EOG, FakeModel, counting, diverging, ends_after

PROMPT = [1, 2, 3]


def greedy(max_tokens: int = 20, k: int = 4, **kw: object) -> GenerationConfig:
    return GenerationConfig(max_tokens=max_tokens, draft=DraftConfig(draft_max=k), **kw)  # type: ignore[arg-type]


def run(decoder: Decoder, cfg: GenerationConfig, prompt: list[int] = PROMPT):
    gen = decoder.generate(prompt, cfg)
    return gen, list(gen)


def assert_caches_consistent(decoder: Decoder, tokens: list[int]) -> None:
    v = decoder.verifier.model
    assert v.cache == tokens[:-1] == decoder.verifier.tokens
    if decoder.draft is not None:
        d = decoder.draft.model
        assert d.cache == decoder.draft.tokens
        assert tokens[: len(d.cache)] == d.cache


def test_same_model_accepts_everything() -> None:
    dec = Decoder(FakeModel(), FakeModel())
    gen, steps = run(dec, greedy(max_tokens=20, k=4))
    # The first token is the verifier's alone (the draft reads the prompt after it).
    assert [len(s.accepted) for s in steps] == [0, 4, 4, 4, 3]
    assert all(not s.rejected for s in steps)
    assert gen.stats.acceptance == 1.0
    assert gen.stats.tokens == 20
    assert gen.finish_reason is FinishReason.LENGTH


def test_divergence_gives_the_exact_sources() -> None:
    # The draft goes wrong when it predicts the token after a history of length 6: the 3rd
    # token of the first drafting step (the prompt has 3 tokens, the first step is plain).
    dec = Decoder(FakeModel(), FakeModel(diverging({6})))
    _, steps = run(dec, greedy(max_tokens=8, k=4))
    assert steps[0].drafted == () and steps[0].text == "d"
    first = steps[1]
    assert first.drafted[:2] == first.accepted == (5, 6)
    assert len(first.rejected) == 2
    assert first.verifier == 7
    assert [p.source for p in first.pieces] == [Source.ACCEPTED, Source.ACCEPTED, Source.VERIFIER]
    assert first.text == "efg"


def test_speculative_output_equals_plain_output() -> None:
    verifier_rule = ends_after(40)
    plain_gen, _ = run(Decoder(FakeModel(verifier_rule)), greedy(max_tokens=100, k=0))
    spec = Decoder(FakeModel(verifier_rule), FakeModel(diverging({7, 8, 15, 30})))
    spec_gen, steps = run(spec, greedy(max_tokens=100, k=5))
    assert spec_gen.text == plain_gen.text
    assert spec_gen.tokens == plain_gen.tokens
    assert spec_gen.finish_reason is plain_gen.finish_reason is FinishReason.STOP
    assert "".join(s.text for s in steps) == spec_gen.text
    assert all(len(s.accepted) <= 5 for s in steps)
    assert_caches_consistent(spec, spec_gen.tokens)


def test_plain_decoding_is_the_same_stream_with_nothing_drafted() -> None:
    gen, steps = run(Decoder(FakeModel()), greedy(max_tokens=6, k=0))
    assert len(steps) == 6
    assert all(s.drafted == () and len(s.pieces) == 1 for s in steps)
    assert [s.index for s in steps] == list(range(6))
    assert gen.text == "defghi"


def test_caches_are_rolled_back_after_every_step() -> None:
    dec = Decoder(FakeModel(), FakeModel(diverging({4, 9, 10})))
    gen = dec.generate(PROMPT, greedy(max_tokens=30, k=4))
    for _ in gen:
        assert_caches_consistent(dec, gen.tokens)


def test_full_acceptance_feeds_the_last_draft_token_to_the_draft() -> None:
    draft = FakeModel()
    dec = Decoder(FakeModel(), draft)
    gen = dec.generate(PROMPT, greedy(max_tokens=30, k=3))
    it = iter(gen)
    next(it)
    next(it)
    # After a fully accepted step the draft is one token short of the text; the next
    # sync must feed that token and the verifier's, never skip it.
    assert draft.cache == gen.tokens[: len(draft.cache)]
    assert len(gen.tokens) - len(draft.cache) == 2


def test_max_tokens_is_never_exceeded() -> None:
    for n in range(1, 12):
        gen, steps = run(Decoder(FakeModel(), FakeModel()), greedy(max_tokens=n, k=4))
        assert gen.stats.tokens == n
        assert steps[-1].finish_reason is FinishReason.LENGTH


def test_end_of_generation_is_decided_by_the_verifier() -> None:
    dec = Decoder(FakeModel(ends_after(9)), FakeModel(ends_after(9)))
    gen, steps = run(dec, greedy(max_tokens=50, k=4))
    assert steps[-1].verifier == EOG
    assert steps[-1].finish_reason is FinishReason.STOP
    assert all(EOG not in s.drafted for s in steps)
    assert gen.text == "defghi"


def test_stop_strings_cut_the_reply() -> None:
    gen, steps = run(Decoder(FakeModel(), FakeModel()), greedy(max_tokens=50, k=4, stop=("gh",)))
    assert gen.text == "def"
    assert "".join(s.text for s in steps) == "def"
    assert gen.finish_reason is FinishReason.STOP


def test_cancel_between_steps_leaves_both_caches_consistent() -> None:
    cancel = threading.Event()
    calls = {"n": 0}

    def draft_rule(history):
        calls["n"] += 1
        if calls["n"] == 6:
            cancel.set()  # Stop pressed while the draft is working
        return counting(history)

    dec = Decoder(FakeModel(), FakeModel(draft_rule))
    gen = dec.generate(PROMPT, greedy(max_tokens=50, k=4), cancel)
    steps = list(gen)
    assert gen.finish_reason is FinishReason.CANCELLED
    assert 1 <= len(steps) < 10
    assert_caches_consistent(dec, gen.tokens)
    # The next turn goes on from the consistent caches.
    gen2, _ = run(dec, greedy(max_tokens=5, k=4), [*gen.tokens, 7])
    assert gen2.stats.tokens == 5
    assert_caches_consistent(dec, gen2.tokens)


def test_cancel_during_prefill_raises_and_keeps_the_cache_sound() -> None:
    cancel = threading.Event()
    cancel.set()
    verifier = FakeModel()
    dec = Decoder(verifier)
    cfg = GenerationConfig(max_tokens=5, draft=DraftConfig(draft_max=0), prefill_chunk=2)
    from desktop.engine.errors import Cancelled

    with pytest.raises(Cancelled):
        list(dec.generate(list(range(1, 20)), cfg, cancel))
    assert verifier.cache == dec.verifier.tokens


def test_a_new_turn_prefills_only_new_tokens() -> None:
    verifier, draft = FakeModel(), FakeModel()
    dec = Decoder(verifier, draft)
    gen, _ = run(dec, greedy(max_tokens=10, k=4))
    before = verifier.decoded
    turn2 = [*gen.tokens, 20, 21, 22]
    gen2 = dec.generate(turn2, greedy(max_tokens=1, k=0))
    list(gen2)
    assert gen2.stats.prefilled_tokens == 3
    # 3 new prompt tokens, then one token (the last prompt token) for the reply.
    assert verifier.decoded - before == 3 + 1


def test_p_min_stops_the_draft_when_it_is_unsure() -> None:
    import numpy as np

    def unsure(history):
        return np.zeros(32, dtype=np.float32)  # uniform: top probability 1/32

    dec = Decoder(FakeModel(), FakeModel(unsure))
    cfg = GenerationConfig(max_tokens=5, draft=DraftConfig(draft_max=4, p_min=0.5))
    _, steps = run(dec, cfg)
    assert all(s.drafted == () for s in steps)


def test_adaptive_policy_grows_while_everything_is_accepted() -> None:
    cfg = GenerationConfig(max_tokens=60, draft=DraftConfig(draft_max=2, policy=DraftPolicy.ADAPTIVE))
    _, steps = run(Decoder(FakeModel(), FakeModel()), cfg)
    lengths = [len(s.drafted) for s in steps]
    assert lengths[:4] == [0, 2, 4, 6]


def test_context_limit_ends_the_reply() -> None:
    dec = Decoder(FakeModel(n_ctx=12), FakeModel(n_ctx=12))
    gen, _ = run(dec, greedy(max_tokens=100, k=4))
    assert gen.finish_reason is FinishReason.CONTEXT
    assert len(gen.tokens) <= 13
