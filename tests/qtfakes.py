"""Scripted fake pairs for the Qt and UI tests: loaders the worker accepts instead of llama.cpp."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop.engine.compat import Compatibility
from desktop.engine.config import ModelConfig
from desktop.engine.costmodel import Costs
from desktop.engine.errors import Cancelled
from desktop.engine.model import Model
from desktop.engine.pair import LoadProgressCallback, ModelPair, PairConfig
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


class CalibratedPair(ModelPair):
    """A fake pair whose calibration returns fixed costs (or raises) and records the cache file;
    measuring again (`refresh`) returns `fresh` when it is given."""

    def __init__(
        self, verifier: Model, draft: Model | None, costs: Costs | Exception, fresh: Costs | None = None
    ) -> None:
        super().__init__(verifier, draft)
        self.costs = costs
        self.fresh = fresh
        self.cache_files: list[Path | None] = []
        self.refreshed = 0

    def calibrate(self, cache_file: Path | None = None, refresh: bool = False) -> Costs:
        self.cache_files.append(cache_file)
        if refresh and self.fresh is not None:
            self.refreshed += 1
            self.costs = self.fresh
        if isinstance(self.costs, Exception):
            raise self.costs
        self.decoder.costs = self.costs
        return self.costs


@dataclass
class FakeLoader:
    """Builds a fake pair whose draft disagrees with the verifier at `diverge_at` history lengths.

    With `costs`, calibration returns them instead of timing the fake models. With `hold`,
    the load waits for its cancel event (as a long llama.cpp load would) and raises `Cancelled`.
    """

    diverge_at: frozenset[int] = frozenset()
    gate: Gate | None = None
    costs: Costs | Exception | None = None
    fresh: Costs | None = None  # what measuring again finds
    hold: bool = False
    started: threading.Event = field(default_factory=threading.Event)
    saw_cancel: bool = False
    loads: list[PairConfig] = field(default_factory=list)
    pairs: list[ModelPair] = field(default_factory=list)

    def __call__(self, cfg: PairConfig, progress: LoadProgressCallback, cancel: threading.Event) -> ModelPair:
        self.loads.append(cfg)
        self.started.set()
        if self.hold:
            self.saw_cancel = cancel.wait(10)
            raise Cancelled("the load was cancelled")
        progress("verifier", 0.5)
        progress("verifier", 1.0)
        rule = self.gate.wrap(counting) if self.gate else counting
        verifier = FakeModel(rule, n_ctx=N_CTX)
        draft = None
        if cfg.draft is not None:
            progress("draft", 1.0)
            draft = FakeModel(diverging(set(self.diverge_at)), n_ctx=N_CTX)
        if self.costs is None:
            pair = ModelPair(verifier, draft)
        else:
            pair = CalibratedPair(verifier, draft, self.costs, self.fresh)
        self.pairs.append(pair)
        return pair


def ok_checker(verifier: str, draft: str) -> Compatibility:
    return Compatibility(True)
