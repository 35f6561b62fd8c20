"""Keeps track of which tokens sit in a model's KV cache, so a new turn prefills only what is new."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from desktop.engine.errors import Cancelled
from desktop.engine.model import Logits, Model


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class CachedModel:
    """A model plus the list of tokens its cache holds; the only place that moves the cache."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.tokens: list[int] = []
        self.decode_s = 0.0  # seconds spent inside model.decode, for honest time splits
        self.decoded = 0  # tokens evaluated, for the step log and online cost tracking

    def rewind(self, n: int) -> None:
        """Forget cache positions from `n` on."""
        if n < len(self.tokens):
            self.model.truncate(n)
            del self.tokens[n:]

    def extend(self, tokens: Sequence[int], n_logits: int = 1) -> Logits:
        """Append `tokens` to the cache; return the logits of the last `n_logits` of them."""
        t0 = time.perf_counter()
        try:
            logits = self.model.decode(tokens, len(self.tokens), n_logits)
        except BaseException:
            # A failed batch may leave part of itself in the cache: drop it.
            self.model.truncate(len(self.tokens))
            raise
        finally:
            self.decode_s += time.perf_counter() - t0
        self.tokens.extend(tokens)
        self.decoded += len(tokens)
        return logits

    def prefill(
        self,
        target: Sequence[int],
        chunk: int = 512,
        cancel: threading.Event | None = None,
    ) -> int:
        """Make the cache hold exactly `target`, decoding only what is new, in chunks that
        can be cancelled. Returns how many tokens were decoded.
        """
        self.rewind(common_prefix(self.tokens, target))
        todo = target[len(self.tokens) :]
        for i in range(0, len(todo), chunk):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            self.extend(todo[i : i + chunk], 0)
        return len(todo)

    def sync(
        self,
        target: Sequence[int],
        chunk: int = 512,
        cancel: threading.Event | None = None,
    ) -> tuple[Logits, int]:
        """Make the cache hold exactly `target`; return the logits after its last token and
        how many tokens were decoded (at least the last one, for its logits).
        """
        n = self.prefill(target[:-1], chunk, cancel)
        return self.extend(target[-1:], 1)[-1], n + 1
