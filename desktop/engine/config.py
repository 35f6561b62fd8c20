"""Frozen configuration objects for loading models and generating replies."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field


def default_threads() -> int:
    """Physical-ish core count: llama.cpp is slower with hyper-threads than without."""
    return max(1, (os.cpu_count() or 2))


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """How one GGUF model is loaded."""

    path: str
    n_gpu_layers: int = 0
    n_ctx: int = 4096
    n_threads: int = field(default_factory=default_threads)
    n_batch: int = 512


@dataclass(frozen=True, slots=True)
class SamplingConfig:
    """Sampling settings; temperature 0 means greedy."""

    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0
    min_p: float = 0.0
    seed: int | None = None

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0


class DraftPolicy(enum.Enum):
    """How many tokens the draft proposes each step."""

    FIXED = "fixed"
    ADAPTIVE = "adaptive"


@dataclass(frozen=True, slots=True)
class DraftConfig:
    """Drafting settings; `draft_max` 0 means plain decoding."""

    draft_max: int = 4
    p_min: float = 0.0  # stop drafting when the draft's top probability falls below this
    policy: DraftPolicy = DraftPolicy.FIXED


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    """Everything that shapes one reply."""

    max_tokens: int = 256
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    draft: DraftConfig = field(default_factory=DraftConfig)
    stop: tuple[str, ...] = ()
    prefill_chunk: int = 256
