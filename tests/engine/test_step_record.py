"""The engine's `StepEvent` carries everything the window draws and the store saves: every
token's text already decoded, sources and finish reasons as enum members."""

from __future__ import annotations

import threading

from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.events import FinishReason, Source
from desktop.engine.speculative import Decoder
from tests.fakes import FakeModel, counting, diverging, ends_after, text_of


def test_every_text_the_view_shows_comes_decoded_from_the_engine() -> None:
    dec = Decoder(FakeModel(counting), FakeModel(diverging({5, 9, 14})))
    steps = list(dec.generate([1, 2, 3], GenerationConfig(max_tokens=24, draft=DraftConfig(draft_max=4))))
    assert any(s.rejected for s in steps)
    for s in steps:
        assert s.verifier_text == text_of(s.verifier).decode()
        assert s.drafted_text == tuple(text_of(t).decode() for t in s.drafted)
        assert s.rejected_text == s.drafted_text[len(s.accepted) :]
        assert [p.source for p in s.pieces] == [Source.ACCEPTED] * len(s.accepted) + [Source.VERIFIER]
    assert all(p.source is not Source.REJECTED for s in steps for p in s.pieces)


def test_the_engine_ends_a_reply_with_a_finish_reason_member() -> None:
    cases = {
        FinishReason.LENGTH: (FakeModel(counting), GenerationConfig(max_tokens=5)),
        FinishReason.STOP: (FakeModel(ends_after(4)), GenerationConfig(max_tokens=50)),
    }
    for reason, (model, cfg) in cases.items():
        gen = Decoder(model, None).generate([1, 2, 3], cfg)
        steps = list(gen)
        assert steps[-1].finish_reason is reason and gen.finish_reason is reason
        assert all(s.finish_reason is None for s in steps[:-1])
    cancel = threading.Event()
    gen = Decoder(FakeModel(counting), None).generate([1, 2, 3], GenerationConfig(), cancel)
    for _ in gen:
        cancel.set()  # Stop after the first step
    assert gen.finish_reason is FinishReason.CANCELLED
