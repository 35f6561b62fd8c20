"""Engine steps written by hand from their texts, for tests of the store, the controller and
the view (which all take the engine's own `StepEvent`)."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.engine.events import Piece, Source, StepEvent, StepTimings


def text_step(
    index: int,
    accepted: Sequence[str],
    verifier: str,
    rejected: Sequence[str] = (),
    *,
    drafter: str = "draft model",
    verifier_probs: tuple[float, ...] = (),
    draft_probs: tuple[float, ...] = (),
    seconds: float = 0.0,
) -> StepEvent:
    """A step that drafted `accepted` then `rejected`, kept `accepted`, and added `verifier`;
    each text is one token, with made-up ids (100 + its position in the step)."""
    drafted_text = (*accepted, *rejected)
    drafted = tuple(range(100, 100 + len(drafted_text)))
    n = len(accepted)
    return StepEvent(
        index=index,
        drafted=drafted,
        accepted=drafted[:n],
        rejected=drafted[n:],
        verifier=99,
        pieces=(
            *(Piece(t, text, Source.ACCEPTED) for t, text in zip(drafted, accepted, strict=False)),
            Piece(99, verifier, Source.VERIFIER),
        ),
        drafted_text=drafted_text,
        rejected_text=tuple(rejected),
        verifier_probs=verifier_probs,
        draft_probs=draft_probs,
        timings=StepTimings(verify_s=seconds),
        drafter=drafter if drafted else "",
        verifier_text=verifier,
    )
