"""Multi-byte characters split across tokens are credited to the token that completes them."""

from __future__ import annotations

from desktop.engine.detokenizer import StreamingDetokenizer

EURO = "€".encode()  # 3 bytes
PIECES = {1: b"a", 2: EURO[:1], 3: EURO[1:2], 4: EURO[2:] + b"b", 5: "😀".encode()}


def test_split_character_appears_once_on_the_completing_token() -> None:
    d = StreamingDetokenizer(PIECES.__getitem__)
    out = [d.add(t) for t in (1, 2, 3, 4, 5)]
    assert out == ["a", "", "", "€b", "😀"]
    assert not d.pending


def test_an_unfinished_character_is_pending_then_replaced_at_the_end() -> None:
    d = StreamingDetokenizer(PIECES.__getitem__)
    assert d.add(2) == ""
    assert d.pending
    assert d.flush() == "\ufffd"
