"""Scripted fake models for unit-testing the engine's logic (never a stand-in for llama.cpp)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from desktop.engine.model import Logits, VocabInfo

EOG = 0
VOCAB = 32


def text_of(token: int) -> bytes:
    """Token t is the letter chr(ord('a') + t - 1); token 0 ends the text."""
    return b"" if token == EOG else bytes([ord("a") + (token - 1) % 26])


def counting(history: Sequence[int]) -> int:
    """A deterministic 'language': the next token cycles 1..25 after the last one."""
    return history[-1] % 25 + 1 if history else 1


class FakeModel:
    """A model whose logits come from `rule(history)`; it checks every cache operation.

    `rule` returns either a token (logits become a sharp one-hot) or a logits row.
    """

    def __init__(
        self,
        rule: Callable[[Sequence[int]], int | Logits] = counting,
        n_ctx: int = 256,
        token_bytes: Callable[[int], bytes] = text_of,
        n_vocab: int = VOCAB,
    ) -> None:
        self.rule = rule
        self._n_ctx = n_ctx
        self._token_bytes = token_bytes
        self._n_vocab = n_vocab
        self.cache: list[int] = []
        self.decoded = 0  # tokens evaluated, to check prefix reuse
        self.calls: list[tuple[int, int]] = []  # (batch size, n_logits) per decode

    @property
    def n_vocab(self) -> int:
        return self._n_vocab

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool) -> list[int]:
        return [(ord(c) - ord("a")) % 26 + 1 for c in text if c.isalpha()]

    def token_bytes(self, token: int) -> bytes:
        return self._token_bytes(token)

    def is_eog(self, token: int) -> bool:
        return token == EOG

    def row(self, history: Sequence[int]) -> Logits:
        out = self.rule(history)
        if isinstance(out, int):
            row = np.zeros(self._n_vocab, dtype=np.float32)
            row[out] = 10.0
            return row
        return out

    def decode(self, tokens: Sequence[int], start: int, n_logits: int) -> Logits:
        assert start == len(self.cache), f"decode at {start} but the cache holds {len(self.cache)}"
        assert start + len(tokens) <= self._n_ctx, "context overflow"
        self.cache.extend(tokens)
        self.decoded += len(tokens)
        self.calls.append((len(tokens), n_logits))
        n = len(self.cache)
        return (
            np.stack([self.row(self.cache[: n - i]) for i in range(n_logits - 1, -1, -1)])
            if n_logits
            else np.empty((0, self._n_vocab), dtype=np.float32)
        )

    def truncate(self, n: int) -> None:
        del self.cache[n:]

    def vocab(self) -> VocabInfo:
        texts = [self._token_bytes(i).decode("utf-8", "replace") for i in range(self._n_vocab)]
        return VocabInfo(2, self._n_vocab, False, False, 1, EOG, texts)

    def metadata(self, key: str) -> str | None:
        return None


def diverging(
    at: set[int], base: Callable[[Sequence[int]], int] = counting
) -> Callable[[Sequence[int]], int]:
    """A draft rule that agrees with `base` except when the history has a length in `at`."""

    def rule(history: Sequence[int]) -> int:
        t = base(history)
        return t % 25 + 1 if len(history) in at else t

    return rule


def ends_after(n: int, base: Callable[[Sequence[int]], int] = counting) -> Callable[[Sequence[int]], int]:
    """`base`, but end-of-generation once the history is `n` tokens long."""

    def rule(history: Sequence[int]) -> int:
        return EOG if len(history) >= n else base(history)

    return rule


def table_rule(table: np.ndarray) -> Callable[[Sequence[int]], Logits]:
    """Logits row = table[last token]: a bigram model for sampling tests."""

    def rule(history: Sequence[int]) -> Logits:
        return table[history[-1]].astype(np.float32)

    return rule
