"""Past replies for the suffix drafter, read on the worker thread only when a reply opts in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from desktop.engine.chat import Message
from desktop.engine.config import GenerationConfig
from desktop.engine.model import Model
from desktop.engine.suffix_history import PastText, SuffixHistory, tokenize_history

HistoryReader = Callable[[], Sequence[PastText]]


def store_history() -> list[PastText]:
    """The newest past replies in the conversations file."""
    from desktop.store.db import default_path
    from desktop.store.history import past_replies

    return past_replies(default_path())


def _plain_tokens(verifier: Model, text: str) -> list[int]:
    return verifier.tokenize(text, add_special=False, parse_special=False)


class HistoryFeed:
    """Reads and tokenizes past replies for a reply whose config has `draft.history` on;
    tokenized again only when the replies or the verifier change."""

    def __init__(self, read: HistoryReader = store_history) -> None:
        self._read = read
        self._cached: tuple[Model, tuple[PastText, ...], SuffixHistory] | None = None

    def for_reply(
        self, verifier: Model, messages: Sequence[Message], cfg: GenerationConfig
    ) -> SuffixHistory | None:
        """None when the user has not opted in: then nothing is read."""
        if not cfg.draft.history or cfg.draft.draft_max <= 0:
            return None
        here = {m.content for m in messages}  # this conversation is drafted from already
        past = tuple(p for p in self._read() if p.text not in here)
        if self._cached is None or self._cached[0] is not verifier or self._cached[1] != past:
            history = tokenize_history(past, lambda s: _plain_tokens(verifier, s))
            self._cached = (verifier, past, history)
        return self._cached[2]

    def forget(self) -> None:
        """Drop the tokens (the pair, and so the tokenizer, is about to change)."""
        self._cached = None
