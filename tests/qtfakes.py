"""Scripted fake pairs for the Qt and UI tests: loaders the worker accepts instead of llama.cpp."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop.engine.compat import Compatibility
from desktop.engine.config import ModelConfig
from desktop.engine.pair import LoadProgress, ModelPair, PairConfig
from tests.fakes import FakeModel, counting, diverging

N_CTX = 2048
FAKE_CONFIG = PairConfig(ModelConfig("verifier.gguf", n_ctx=N_CTX), ModelConfig("draft.gguf", n_ctx=N_CTX))


@dataclass
class Gate:
    """Pauses the verifier once the history reaches `at` tokens, until `release` is set."""

    at: int
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def wrap(self, rule: Callable[[Sequence[int]], int]) -> Callable[[Sequence[int]], int]:
        def gated(history: Sequence[int]) -> int:
            if len(history) >= self.at and not self.release.is_set():
                self.reached.set()
                self.release.wait(10)
            return rule(history)

        return gated


@dataclass
class FakeLoader:
    """Builds a fake pair whose draft disagrees with the verifier at `diverge_at` history lengths."""

    diverge_at: frozenset[int] = frozenset()
    gate: Gate | None = None
    loads: list[PairConfig] = field(default_factory=list)
    pairs: list[ModelPair] = field(default_factory=list)

    def __call__(self, cfg: PairConfig, progress: LoadProgress) -> ModelPair:
        self.loads.append(cfg)
        progress("verifier", 0.5)
        progress("verifier", 1.0)
        rule = self.gate.wrap(counting) if self.gate else counting
        verifier = FakeModel(rule, n_ctx=N_CTX)
        draft = None
        if cfg.draft is not None:
            progress("draft", 1.0)
            draft = FakeModel(diverging(set(self.diverge_at)), n_ctx=N_CTX)
        pair = ModelPair(verifier, draft)
        self.pairs.append(pair)
        return pair


def ok_checker(verifier: str, draft: str) -> Compatibility:
    return Compatibility(True)
