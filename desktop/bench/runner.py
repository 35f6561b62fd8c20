"""Runs every contestant on every prompt, back to back, in a rotating order."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from desktop.bench.configs import BenchConfig, rotated
from desktop.bench.memory import peak_rss_bytes, reset_peak_rss
from desktop.bench.suite import BenchPrompt
from desktop.engine.config import DraftConfig, GenerationConfig
from desktop.engine.pair import ModelPair

TANDEM = "tandem"


@dataclass(frozen=True, slots=True)
class PreparedPrompt:
    """A suite prompt rendered with the verifier's chat template and tokenized once, so every
    contestant (llama-server included) sees the same token ids."""

    id: str
    category: str
    tokens: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Sample:
    """One contestant's reply to one prompt. Time split and steps are Tandem's only (0 for a
    native server); `rejections` counts steps in which a drafted token was rejected."""

    prompt_id: str
    config: str
    engine: str
    tokens: int
    tokens_per_s: float
    steps: int = 0
    drafted: int = 0
    accepted: int = 0
    rejections: int = 0
    draft_s: float = 0.0
    verify_s: float = 0.0
    other_s: float = 0.0
    peak_rss: int | None = None
    finish_reason: str | None = None
    text_sha: str = ""  # equal hashes across configs: the same reply
    # CPU seconds of this process during the reply: with one thread, close to the work done
    # whatever else the machine runs, so CPU-time ratios are steadier than wall-time ones.
    cpu_s: float = 0.0  # after the first step (prompt processing excluded)
    cpu_tokens: int = 0  # tokens produced in those CPU seconds

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Contestant(Protocol):
    """Something that replies to a prepared prompt and says how fast it was."""

    name: str

    def run(self, prompt: PreparedPrompt) -> Sample: ...


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


class TandemContestant:
    """One drafting configuration of Tandem's engine on the loaded pair."""

    def __init__(self, pair: ModelPair, config: BenchConfig, max_tokens: int) -> None:
        self.pair = pair
        self.config = config
        self.name = config.name
        self.gcfg = GenerationConfig(max_tokens=max_tokens, draft=config.draft)

    def run(self, prompt: PreparedPrompt) -> Sample:
        reset_peak_rss()
        generation = self.pair.decoder.generate(prompt.tokens, self.gcfg)
        rejections = 0
        cpu0, first = 0.0, 0
        for step in generation:
            if len(step.accepted) < len(step.drafted):
                rejections += 1
            if step.index == 0:  # from here on: decoding only, no prompt processing
                cpu0, first = time.process_time(), step.n_tokens
        s = generation.stats
        return Sample(
            prompt_id=prompt.id,
            config=self.name,
            engine=TANDEM,
            tokens=s.tokens,
            tokens_per_s=s.tokens_per_s,
            steps=s.steps,
            drafted=s.drafted,
            accepted=s.accepted,
            rejections=rejections,
            draft_s=s.draft_s,
            verify_s=s.verify_s,
            other_s=s.other_s,
            peak_rss=peak_rss_bytes(),
            finish_reason=generation.finish_reason.value if generation.finish_reason else None,
            text_sha=_sha(generation.text),
            cpu_s=time.process_time() - cpu0 if first else 0.0,
            cpu_tokens=s.tokens - first,
        )


def prepare(pair: ModelPair, prompts: Sequence[BenchPrompt], max_tokens: int) -> list[PreparedPrompt]:
    """Render and tokenize each prompt, leaving room for the longest draft and the reply."""
    cfg = GenerationConfig(max_tokens=max_tokens, draft=DraftConfig(draft_max=8))
    return [PreparedPrompt(p.id, p.category, pair.prompt(p.messages, cfg).tokens) for p in prompts]


Progress = Callable[[int, int, PreparedPrompt, Sample], None]


def run_suite(
    prompts: Sequence[PreparedPrompt],
    contestants: Sequence[Contestant],
    progress: Progress | None = None,
    repeats: int = 1,
) -> list[Sample]:
    """Every contestant on every prompt, `repeats` rounds; the order rotates per prompt and round."""
    by_name = {c.name: c for c in contestants}
    names = [c.name for c in contestants]
    samples: list[Sample] = []
    for r in range(repeats):
        for i, prompt in enumerate(prompts):
            for name in rotated(names, i + r):
                sample = by_name[name].run(prompt)
                samples.append(sample)
                if progress is not None:
                    progress(i, len(prompts), prompt, sample)
    return samples


def tandem_contestants(
    pair: ModelPair, configs: Sequence[BenchConfig], max_tokens: int
) -> list[TandemContestant]:
    return [TandemContestant(pair, c, max_tokens) for c in configs]
