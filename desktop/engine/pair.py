"""A verifier and its optional draft, loaded together after the compatibility check."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktop.engine import compat
from desktop.engine.calibration import implausible
from desktop.engine.chat import ChatTemplate, Message, Prompt
from desktop.engine.config import GenerationConfig, ModelConfig
from desktop.engine.costmodel import Costs, cached_costs
from desktop.engine.model import Model, VocabInfo
from desktop.engine.pair_warnings import context_warnings, size_warnings
from desktop.engine.speculative import Decoder, Generation
from desktop.engine.suffix_history import SuffixHistory

LoadProgress = Callable[[str, float], None]  # (which model, fraction loaded)


class Backend(Protocol):
    """What the pair needs from an inference library."""

    def read_vocab(self, path: str | Path) -> VocabInfo: ...

    def load(
        self,
        cfg: ModelConfig,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Model:
        """Load a model; setting `cancel` aborts the load with `Cancelled`."""
        ...

    def fingerprint(self, cfg: ModelConfig) -> str: ...


@dataclass(frozen=True, slots=True)
class PairConfig:
    """Which files to load and how; no draft means plain decoding."""

    verifier: ModelConfig
    draft: ModelConfig | None = None


def check_files(backend: Backend, verifier: str | Path, draft: str | Path) -> compat.Compatibility:
    """The compatibility verdict from the two vocabularies alone (no weights loaded)."""
    return compat.check(backend.read_vocab(verifier), backend.read_vocab(draft))


class ModelPair:
    """Owns both models, their caches and the chat template.

    `warnings` lists what loads but probably is not what the user meant (one line each).
    """

    def __init__(self, verifier: Model, draft: Model | None = None, *, check: bool = True) -> None:
        if draft is not None and check:
            compat.require(verifier.vocab(), draft.vocab())
        self.verifier = verifier
        self.draft = draft
        self.decoder = Decoder(verifier, draft)
        self.template = ChatTemplate(verifier)
        self.fingerprint = ""  # identifies models, build and machine for cached calibrations
        self.warnings: tuple[str, ...] = context_warnings(verifier, draft)

    @classmethod
    def load(
        cls,
        backend: Backend,
        cfg: PairConfig,
        progress: LoadProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> ModelPair:
        """Check the pair from the vocabularies first, so an incompatible draft is never loaded.

        Setting `cancel` aborts a load in progress with `Cancelled` (nothing stays loaded).
        """
        if cfg.draft is not None:
            compat.require(backend.read_vocab(cfg.verifier.path), backend.read_vocab(cfg.draft.path))

        def report(which: str) -> Callable[[float], None] | None:
            if progress is None:
                return None
            return lambda fraction: progress(which, fraction)

        verifier = backend.load(cfg.verifier, report("verifier"), cancel)
        try:
            draft = backend.load(cfg.draft, report("draft"), cancel) if cfg.draft is not None else None
        except BaseException:
            _close(verifier)
            raise
        pair = cls(verifier, draft, check=False)
        draft_path = cfg.draft.path if cfg.draft is not None else None
        pair.warnings = size_warnings(cfg.verifier.path, draft_path) + pair.warnings
        prints = [backend.fingerprint(cfg.verifier)]
        if cfg.draft is not None:
            prints.append(backend.fingerprint(cfg.draft))
        pair.fingerprint = "+".join(prints)
        return pair

    def calibrate(self, cache_file: Path | None = None, refresh: bool = False) -> Costs:
        """Measure (or read from `cache_file`) what verifier batches and draft tokens cost.

        A cached entry that cannot be right is measured again; `refresh` always measures.
        """
        if cache_file is None or not self.fingerprint:
            return self.decoder.calibrate()
        plausible = lambda costs: not implausible(costs)  # noqa: E731
        costs = cached_costs(cache_file, self.fingerprint, self.decoder.calibrate, plausible, refresh)
        self.decoder.costs = costs
        return costs

    def prompt(self, messages: Sequence[Message], cfg: GenerationConfig, continuing: bool = False) -> Prompt:
        """Tokenize a conversation, leaving room in the context for the reply."""
        n_ctx = self.verifier.n_ctx
        if self.draft is not None:
            n_ctx = min(n_ctx, self.draft.n_ctx)
        reserve = min(cfg.max_tokens + cfg.draft.draft_max + 1, n_ctx // 2)
        return self.template.fit(messages, n_ctx - reserve, continuing)

    def reply(
        self,
        messages: Sequence[Message],
        cfg: GenerationConfig,
        cancel: threading.Event | None = None,
        continuing: bool = False,
        history: SuffixHistory | None = None,
    ) -> tuple[Prompt, Generation]:
        """Start the assistant's reply to `messages` (or, `continuing`, extend the last one);
        iterate the generation for its steps. `history`: past replies for suffix drafting."""
        prompt = self.prompt(messages, cfg, continuing)
        return prompt, self.decoder.generate(prompt.tokens, cfg, cancel, history)


def _close(model: Model) -> None:
    close = getattr(model, "close", None)
    if callable(close):
        close()
