"""llama.cpp's draft/verifier compatibility rule, each clause named in the refusal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop.engine.compat import check, require
from desktop.engine.errors import IncompatiblePairError
from desktop.engine.model import VocabInfo

BASE = VocabInfo(2, 300, True, False, 1, 2, [f"t{i}" for i in range(300)])


def test_identical_vocabularies_are_compatible() -> None:
    assert check(BASE, BASE).ok


def test_sizes_within_128_are_compatible() -> None:
    bigger = replace(BASE, n_vocab=428, texts=[*BASE.texts, *(f"x{i}" for i in range(128))])
    assert check(BASE, bigger).ok
    too_big = replace(BASE, n_vocab=429, texts=[*bigger.texts, "y"])
    verdict = check(BASE, too_big)
    assert verdict.rule == "vocabulary sizes within 128"
    assert "300" in verdict.detail and "429" in verdict.detail


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"vocab_type": 1}, "same vocabulary type"),
        ({"add_bos": False}, "same add-BOS flag"),
        ({"add_eos": True}, "same add-EOS flag"),
        ({"bos": 7}, "same BOS token"),
    ],
)
def test_each_rule_is_named(change: dict[str, object], rule: str) -> None:
    verdict = check(BASE, replace(BASE, **change))  # type: ignore[arg-type]
    assert not verdict.ok
    assert verdict.rule == rule


def test_different_token_text_shows_an_example() -> None:
    texts = list(BASE.texts)
    texts[42] = "foo"
    with pytest.raises(IncompatiblePairError) as e:
        require(BASE, replace(BASE, texts=texts))
    assert e.value.rule == "identical token text"
    assert "token 42 is 't42' in the verifier but 'foo' in the draft" in str(e.value)


def test_the_first_five_ids_are_not_compared() -> None:
    texts = list(BASE.texts)
    texts[3] = "<special>"
    assert check(BASE, replace(BASE, texts=texts)).ok
