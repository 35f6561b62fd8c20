"""Model-free drafting side by side: Tandem's prompt lookup and suffix drafting against
llama-server's n-gram speculative types, per prompt, each also over its own verifier alone."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop.bench.configs import PLAIN
from desktop.bench.runner import Sample
from desktop.bench.targets import Target

MODEL_FREE_VS_NGRAM_MIN = 1.1
MODEL_FREE_VS_PLAIN_MIN = 0.98
COPY_HEAVY = frozenset({"code editing", "rewriting"})  # replies that copy much of the prompt


@dataclass(frozen=True, slots=True)
class ModelFreeSides:
    """Who meets whom in the model-free comparison: Tandem's model-free configs, llama-server's
    n-gram types, the plain server, and each prompt's category (for the copy-heavy split)."""

    tandem: Sequence[str]
    native: Sequence[str]
    native_plain: str | None
    categories: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ModelFreeRow:
    """One prompt: Tandem's best model-free config against llama.cpp's best n-gram type, each
    also over its own verifier alone. "Best" is one pick per side for the whole suite (see
    `best_config`), not per prompt: on a noisy machine the fastest of five types on each prompt
    would mostly pick the luckiest run, and more types would mean more luck."""

    prompt_id: str
    copy_heavy: bool
    tandem: str
    tandem_rate: float
    native: str
    native_rate: float
    ratio: float  # tandem_rate / native_rate
    tandem_vs_plain: float | None  # over Tandem's verifier alone
    native_vs_plain: float | None  # over llama-server plain
    plain_ratio: float | None  # Tandem's verifier alone / llama-server plain: the engines alone


def _rate(samples: Sequence[Sample], prompt: str, config: str | None) -> float | None:
    return next((s.tokens_per_s for s in samples if s.prompt_id == prompt and s.config == config), None)


def best_config(samples: Sequence[Sample], names: Sequence[str], plain: str | None) -> str | None:
    """The config with the highest median per-prompt speed-up over `plain` (ties: the first)."""
    scores = {}
    for name in names:
        r = [
            rate / base
            for s in samples
            if s.config == name and (base := _rate(samples, s.prompt_id, plain)) and (rate := s.tokens_per_s)
        ]
        if r:
            scores[name] = statistics.median(r)
    return max(scores, key=lambda n: scores[n]) if scores else None


def _over(rate: float, base: float | None) -> float | None:
    return rate / base if base else None


def model_free_rows(samples: Sequence[Sample], sides: ModelFreeSides) -> list[ModelFreeRow]:
    """Per prompt (best rounds already picked), where both sides' picks ran."""
    tandem = best_config(samples, sides.tandem, PLAIN)
    native = best_config(samples, sides.native, sides.native_plain)
    if tandem is None or native is None:
        return []
    out = []
    for prompt in dict.fromkeys(s.prompt_id for s in samples):
        t, n = _rate(samples, prompt, tandem), _rate(samples, prompt, native)
        if not t or not n:
            continue
        plain = _rate(samples, prompt, PLAIN)
        server = _rate(samples, prompt, sides.native_plain)
        out.append(
            ModelFreeRow(
                prompt_id=prompt,
                copy_heavy=sides.categories.get(prompt) in COPY_HEAVY,
                tandem=tandem,
                tandem_rate=t,
                native=native,
                native_rate=n,
                ratio=t / n,
                tandem_vs_plain=_over(t, plain),
                native_vs_plain=_over(n, server),
                plain_ratio=_over(plain, server) if plain else None,
            )
        )
    return out


def model_free_targets(rows: Sequence[ModelFreeRow]) -> list[Target]:
    """Issue 11: model-free >= 1.1x the best n-gram type on every copy-heavy prompt, and never
    below the verifier alone by more than 2% on the others."""
    out = []
    copy = [r for r in rows if r.copy_heavy]
    if copy:
        worst = min(copy, key=lambda r: r.ratio)
        out.append(
            Target(
                "model-free >= 1.1x best llama.cpp n-gram type on every copy-heavy prompt",
                worst.ratio,
                MODEL_FREE_VS_NGRAM_MIN,
                True,
                f"worst: {worst.prompt_id} ({worst.tandem} vs {worst.native})",
            )
        )
    others = [r for r in rows if not r.copy_heavy and r.tandem_vs_plain is not None]
    if others:
        low = min(others, key=lambda r: r.tandem_vs_plain or 0.0)
        out.append(
            Target(
                "model-free >= 0.98x verifier alone on every other prompt",
                low.tandem_vs_plain,
                MODEL_FREE_VS_PLAIN_MIN,
                True,
                f"worst: {low.prompt_id} ({low.tandem})",
            )
        )
    return out
