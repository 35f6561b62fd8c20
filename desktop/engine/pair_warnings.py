"""Warnings about a pair that loads but is probably not what the user meant.

Neither refuses the pair: a draft larger than its verifier only makes speculation slower, and a
context longer than the model was trained on works until the reply passes that length.
"""

from __future__ import annotations

from pathlib import Path

from desktop.engine.model import Model


def training_context(model: Model) -> int | None:
    """``<architecture>.context_length`` from the GGUF's metadata, if it is there and sane."""
    arch = model.metadata("general.architecture")
    value = model.metadata(f"{arch}.context_length") if arch else None
    try:
        n = int(value) if value is not None else 0
    except ValueError:
        return None
    return n if n > 0 else None


def context_warnings(verifier: Model, draft: Model | None) -> tuple[str, ...]:
    """One warning per model whose context is longer than its training context."""
    out = []
    for role, model in (("verifier", verifier), ("draft", draft)):
        trained = training_context(model) if model is not None else None
        if model is not None and trained is not None and model.n_ctx > trained:
            out.append(
                f"the context ({model.n_ctx:,} tokens) is longer than the {role} was trained on "
                f"({trained:,} tokens); replies past that length may turn to nonsense"
            )
    return tuple(out)


def size_warnings(verifier: str | Path, draft: str | Path | None) -> tuple[str, ...]:
    """A warning when the draft file is larger than the verifier's (a likely swap)."""
    if draft is None:
        return ()
    try:
        v, d = Path(verifier).stat().st_size, Path(draft).stat().st_size
    except OSError:
        return ()
    if d <= v:
        return ()
    return (
        f"the draft ({Path(draft).name}, {d / 1e6:,.0f} MB) is larger than the verifier "
        f"({Path(verifier).name}, {v / 1e6:,.0f} MB), so speculation will be slower than the "
        "verifier alone; were the two swapped?",
    )
