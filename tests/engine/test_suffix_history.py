"""History drafting: past replies supply suffix drafts, each run names the reply it came from,
and the verifier's output is the same with or without them."""

from __future__ import annotations

import numpy as np

from desktop.engine.config import DraftConfig, GenerationConfig, SamplingConfig
from desktop.engine.events import Origin
from desktop.engine.speculative import Decoder
from desktop.engine.suffix import SuffixDrafter
from desktop.engine.suffix_history import PastReply, PastText, SuffixHistory, tokenize_history
from tests.fakes import FakeModel

GREEDY = SamplingConfig()
RNG = np.random.default_rng(0)
PARSER = Origin("Refactor parser", 1_700_000_000.0)
OLDER = Origin("Older chat", 1_600_000_000.0)


def test_proposes_the_continuation_of_a_past_reply_and_names_it() -> None:
    history = SuffixHistory([PastReply((10, 11, 12, 13, 14), PARSER)])
    d = SuffixDrafter(p_min=0.05, history=history)
    text = [1, 2, 10, 11]
    d.begin(text)
    proposal = d.propose(text, 4, GREEDY, RNG)
    assert proposal.tokens == [12, 13, 14]
    assert proposal.origin == PARSER
    assert SuffixDrafter(p_min=0.05).propose(text, 4, GREEDY, RNG).tokens == []  # nothing without it


def test_the_newest_past_reply_that_agrees_is_the_one_named() -> None:
    history = SuffixHistory([PastReply((10, 11, 12), OLDER), PastReply((10, 11, 12), PARSER)])
    d = SuffixDrafter(p_min=0.05, history=history)
    d.begin([5, 10, 11])
    assert d.propose([5, 10, 11], 2, GREEDY, RNG).origin == PARSER


def test_a_run_the_conversation_itself_holds_names_no_past_reply() -> None:
    history = SuffixHistory([PastReply((10, 11, 12), PARSER)])
    d = SuffixDrafter(p_min=0.05, history=history)
    text = [10, 11, 12, 5, 10, 11]
    d.begin(text)
    proposal = d.propose(text, 1, GREEDY, RNG)
    assert proposal.tokens == [12] and proposal.origin is None


def test_tokenize_history_keeps_the_newest_replies_within_the_budget() -> None:
    past = [PastText("abcd", PARSER), PastText("efgh", OLDER), PastText("ijkl", OLDER)]
    history = tokenize_history(past, lambda s: [ord(c) for c in s], max_tokens=6)
    assert len(history) == 2  # "abcd" whole, then two tokens of "efgh": the budget is spent
    assert history.tokens == [ord("e"), ord("f"), -1, *map(ord, "abcd"), -1]
    assert history.origin_at(0) == OLDER and history.origin_at(4) == PARSER
    assert len(tokenize_history(past, lambda s: [ord(c) for c in s], max_replies=1)) == 1


def test_history_is_read_only_when_the_config_opts_in() -> None:
    history = SuffixHistory([PastReply((1, 2, 3), PARSER)])
    decoder = Decoder(FakeModel(lambda h: 1))
    off = decoder.drafters(DraftConfig(model=False), history)
    on = decoder.drafters(DraftConfig(model=False, history=True), history)
    assert off == []
    assert [d.name for d in on] == ["suffix"] and on[0].history is history  # type: ignore[attr-defined]


def counting(history: list[int]) -> int:
    """The verifier: counts 1..9 and around again, so a past reply can predict it."""
    return history[-1] % 9 + 1


def test_greedy_output_is_the_same_with_and_without_history_and_steps_name_it() -> None:
    prompt = [20, 21, 1, 2]
    history = SuffixHistory([PastReply(tuple(range(1, 10)) * 2, PARSER)])
    cfg = GenerationConfig(max_tokens=30, draft=DraftConfig(draft_max=6, model=False, history=True))
    with_history = Decoder(FakeModel(counting)).generate(prompt, cfg, history=history)
    steps = list(with_history)
    plain = Decoder(FakeModel(counting)).generate(prompt, cfg)
    list(plain)
    assert with_history.tokens == plain.tokens
    assert plain.stats.drafted == 0  # no history, no suffix drafter: nothing to draft from
    drafted = [s for s in steps if s.drafted]
    assert drafted and with_history.stats.accepted > 0
    assert drafted[0].origin == PARSER
    assert all(s.origin is None for s in steps if not s.drafted)
