"""Incremental detokenizer: text is credited to the token that completed it."""

from __future__ import annotations

import codecs
from collections.abc import Callable


class StreamingDetokenizer:
    """Feeds token bytes through an incremental UTF-8 decoder.

    A character split across tokens yields "" for the tokens that started it and the whole
    character for the token that finished it, so each character is highlighted once.
    """

    def __init__(self, token_bytes: Callable[[int], bytes]) -> None:
        self._token_bytes = token_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add(self, token: int) -> str:
        """Return the text this token completes."""
        return self._decoder.decode(self._token_bytes(token))

    def flush(self) -> str:
        """Whatever is left at the end (an incomplete character becomes U+FFFD)."""
        return self._decoder.decode(b"", final=True)

    @property
    def pending(self) -> bool:
        """True while bytes of an unfinished character are buffered."""
        return bool(self._decoder.getstate()[0])
