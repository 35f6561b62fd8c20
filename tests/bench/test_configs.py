"""The configurations a bench compares, and the rotating order."""

from __future__ import annotations

from desktop.bench.configs import configurations, rotated
from desktop.engine.config import DraftPolicy, Mode


def test_every_configuration_of_the_issue_is_there() -> None:
    by_name = {c.name: c for c in configurations()}
    assert list(by_name) == [
        "verifier alone",
        "draft k=1",
        "draft k=2",
        "draft k=4",
        "draft k=8",
        "adaptive",
        "n-gram",
        "suffix",
        "fastest",
    ]
    assert by_name["verifier alone"].draft.draft_max == 0
    assert [by_name[f"draft k={k}"].draft.draft_max for k in (1, 2, 4, 8)] == [1, 2, 4, 8]
    assert all(by_name[f"draft k={k}"].fixed_k == k for k in (1, 2, 4, 8))
    assert by_name["verifier alone"].fixed_k == 0
    adaptive = by_name["adaptive"].draft
    assert (adaptive.policy, adaptive.draft_max) == (DraftPolicy.ADAPTIVE, 4)
    ngram = by_name["n-gram"].draft
    assert (ngram.ngram, ngram.model, ngram.draft_max) == (True, False, 4)
    suffix = by_name["suffix"].draft
    assert (suffix.suffix, suffix.ngram, suffix.model) == (True, False, False)
    fastest = by_name["fastest"].draft
    assert (fastest.mode, fastest.suffix, fastest.model, fastest.draft_max) == (Mode.FASTEST, True, True, 8)
    assert by_name["fastest"].fixed_k is None


def test_without_a_draft_model_only_draftless_configurations_remain() -> None:
    names = [c.name for c in configurations(has_draft=False)]
    assert names == ["verifier alone", "n-gram", "suffix", "fastest"]


def test_order_rotates_per_prompt() -> None:
    names = ["a", "b", "c"]
    assert [rotated(names, i) for i in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]
    assert rotated([], 3) == []
