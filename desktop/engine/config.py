"""Frozen configuration objects for loading models and generating replies."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path


def default_threads() -> int:
    """Physical cores: llama.cpp runs slower when its threads share cores (hyper-threads)."""
    logical = os.cpu_count() or 2
    try:
        siblings = {
            (cpu / "topology" / "thread_siblings_list").read_text().strip()
            for cpu in Path("/sys/devices/system/cpu").glob("cpu[0-9]*")
        }
    except OSError:
        siblings = set()
    return max(1, len(siblings) or logical)


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """How one GGUF model is loaded."""

    path: str
    n_gpu_layers: int = -2  # AUTO_GPU_LAYERS (desktop/engine/offload.py): all on a GPU build, else 0
    n_ctx: int = 4096
    n_threads: int = field(default_factory=default_threads)
    n_batch: int = 512
    # Logits rows one batch may return; the engine never asks for more than a draft + 1,
    # and llama.cpp sizes its output and compute buffers by this (n_batch x vocab otherwise).
    n_outputs_max: int = 64
    # Read weights into memory instead of mapping the file: llama.cpp repacks most CPU
    # weights into its own buffers, and with mmap the file's pages stay resident too
    # (measured: peak RSS 1.75x the file with mmap, 1.2x without, same speed).
    mmap: bool = False


@dataclass(frozen=True, slots=True)
class SamplingConfig:
    """Sampling settings; temperature 0 means greedy.

    `repeat_penalty` above 1 makes tokens seen in the last `repeat_last_n` tokens less likely
    (llama.cpp's rule), in greedy decoding too.
    """

    temperature: float = 0.0
    top_k: int = 0
    top_p: float = 1.0
    min_p: float = 0.0
    seed: int | None = None
    repeat_penalty: float = 1.0
    repeat_last_n: int = 64

    @property
    def greedy(self) -> bool:
        return self.temperature <= 0.0


class DraftPolicy(enum.Enum):
    """How many tokens the draft proposes each step (in the speculative mode)."""

    FIXED = "fixed"
    ADAPTIVE = "adaptive"


class Mode(enum.Enum):
    """Speculative always drafts, to watch the steps; fastest picks the draft length per
    step, zero included, to maximise the predicted tokens per second."""

    SPECULATIVE = "speculative"
    FASTEST = "fastest"


@dataclass(frozen=True, slots=True)
class DraftConfig:
    """Drafting settings; `draft_max` 0 means plain decoding."""

    draft_max: int = 4
    p_min: float = 0.0  # stop drafting when the draft's top probability falls below this
    policy: DraftPolicy = DraftPolicy.FIXED
    mode: Mode = Mode.SPECULATIVE
    ngram: bool = False  # try prompt lookup (n-gram) drafting before the draft model
    suffix: bool = False  # try suffix drafting (most frequent continuation) before both
    model: bool = True  # use the draft model, when the pair has one
    history: bool = False  # suffix drafting also reads the user's past replies (opt-in; see suffix.py)


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    """Everything that shapes one reply."""

    max_tokens: int = 256
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    draft: DraftConfig = field(default_factory=DraftConfig)
    stop: tuple[str, ...] = ()
    prefill_chunk: int = 256
