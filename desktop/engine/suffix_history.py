"""The user's past replies as one indexed text for the suffix drafter (opt-in history drafting).

Bounded: the newest replies first, up to a token budget, so indexing stays a few milliseconds
and memory a few megabytes however long the user has used Tandem.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop.engine.events import Origin

MAX_REPLIES = 200  # the newest past replies the drafter reads
MAX_TOKENS = 20_000  # and at most this many of their tokens
SEPARATOR = -1  # between replies: no match runs from one reply into the next


@dataclass(frozen=True, slots=True)
class PastText:
    """A past reply as the store keeps it, before it is tokenized."""

    text: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class PastReply:
    """A past reply in the verifier's tokens, and where it came from (None: unknown)."""

    tokens: tuple[int, ...]
    origin: Origin | None = None


def index_ngrams(
    toks: Sequence[int], index: dict[tuple[int, ...], list[int]], start: int, n_min: int, n_max: int
) -> None:
    """Record, for every n-gram ending at j - 1 (j from `start`), that toks[j] followed it."""
    for j in range(max(start, 1), len(toks)):
        for n in range(n_min, n_max + 1):
            if j - n >= 0:
                index.setdefault(tuple(toks[j - n : j]), []).append(j)


class SuffixHistory:
    """Past replies joined into one text with their n-gram index, and each one's origin."""

    def __init__(self, replies: Sequence[PastReply] = ()) -> None:
        self.tokens: list[int] = []
        self._starts: list[int] = []
        self._origins: list[Origin | None] = []
        for reply in replies:
            self._starts.append(len(self.tokens))
            self._origins.append(reply.origin)
            self.tokens.extend([*reply.tokens, SEPARATOR])
        self._indexes: dict[tuple[int, int], dict[tuple[int, ...], list[int]]] = {}

    def __len__(self) -> int:
        return len(self._starts)

    def index(self, n_min: int, n_max: int) -> dict[tuple[int, ...], list[int]]:
        """The n-gram index for match lengths n_min..n_max, built once."""
        key = (n_min, n_max)
        if key not in self._indexes:
            self._indexes[key] = {}
            index_ngrams(self.tokens, self._indexes[key], 0, n_min, n_max)
        return self._indexes[key]

    def origin_at(self, position: int) -> Origin | None:
        """The origin of the reply that holds `position` of the joined text."""
        i = bisect_right(self._starts, position) - 1
        return self._origins[i] if i >= 0 else None


def tokenize_history(
    past: Sequence[PastText],
    tokenize: Callable[[str], Sequence[int]],
    max_tokens: int = MAX_TOKENS,
    max_replies: int = MAX_REPLIES,
) -> SuffixHistory:
    """`past` (newest first) in the verifier's tokens, within the budgets, oldest first so the
    drafter's newest-first vote sees the most recent replies first."""
    kept: list[PastReply] = []
    total = 0
    for item in past[:max_replies]:
        tokens = tuple(tokenize(item.text))
        if not tokens:
            continue
        if total + len(tokens) > max_tokens:
            tokens = tokens[: max_tokens - total]
        kept.append(PastReply(tokens, item.origin))
        total += len(tokens)
        if total >= max_tokens:
            break
    return SuffixHistory(kept[::-1])
