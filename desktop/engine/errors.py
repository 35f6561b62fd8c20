"""Typed errors the engine raises; each carries a message a user can read."""

from __future__ import annotations


class TandemError(Exception):
    """Base of every error Tandem shows to a user."""


class ModelLoadError(TandemError):
    """A model file is missing, unreadable, not a GGUF, or llama.cpp refused it."""


class IncompatiblePairError(TandemError):
    """The draft cannot serve the verifier; `rule` names the llama.cpp rule that failed."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"incompatible draft: {rule}: {detail}")
        self.rule = rule
        self.detail = detail


class PromptTooLongError(TandemError):
    """The prompt does not fit in the context window."""


class DecodeError(TandemError):
    """llama.cpp failed to decode a batch."""


class Cancelled(TandemError):
    """Stop was requested while the prompt was being read."""
