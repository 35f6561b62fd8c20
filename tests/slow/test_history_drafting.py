"""History drafting on the real tiny pair: a past reply supplies drafts, the output stays the verifier's."""

from __future__ import annotations

import pytest

from desktop.engine.chat import Message
from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.events import Origin
from desktop.engine.pair import ModelPair
from desktop.engine.suffix_history import PastText, tokenize_history
from tests.slow.test_tiny_pair import NEAR_TIE, top2_margin

pytestmark = pytest.mark.slow

PROMPT = "Write a Python function that reverses a string."
PARSER = Origin("Refactor parser", 1_700_000_000.0)


def test_greedy_output_is_the_same_with_and_without_history(tiny_pair: ModelPair) -> None:
    plain_cfg = GenerationConfig(max_tokens=64, draft=DraftConfig(draft_max=0))
    _, plain = tiny_pair.reply([Message("user", PROMPT)], plain_cfg)
    list(plain)
    # Yesterday's answer to the same question, in the store: history drafting can follow it.
    past = [PastText(plain.text, PARSER)]
    verifier = tiny_pair.verifier
    history = tokenize_history(past, lambda s: verifier.tokenize(s, add_special=False, parse_special=False))
    cfg = GenerationConfig(max_tokens=64, draft=DraftConfig(draft_max=8, model=False, history=True))
    _, gen = tiny_pair.reply([Message("user", PROMPT)], cfg, history=history)
    steps = list(gen)
    a, b = plain.tokens, gen.tokens
    if a != b:
        i = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]), min(len(a), len(b)))
        assert top2_margin(tiny_pair, a[:i]) < NEAR_TIE
    followed = [s for s in steps if s.accepted and s.origin == PARSER]
    assert sum(len(s.accepted) for s in followed) > 10  # the past reply did the drafting
