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


def pieces_step(index: int, pieces: Sequence[tuple[str, Source]], rejected: Sequence[str] = ()) -> StepEvent:
    """A step made of exactly these (text, source) pieces (any split a model might make, for the
    view's tests), then `rejected` draft text; ids are made up."""
    made = tuple(Piece(200 + i, text, source) for i, (text, source) in enumerate(pieces))
    accepted = tuple(p for p in made if p.source is Source.ACCEPTED)
    own = next((p for p in made if p.source is Source.VERIFIER), None)
    refused = tuple(range(300, 300 + len(rejected)))
    return StepEvent(
        index=index,
        drafted=(*(p.token for p in accepted), *refused),
        accepted=tuple(p.token for p in accepted),
        rejected=refused,
        verifier=own.token if own else -1,
        pieces=made,
        drafted_text=(*(p.text for p in accepted), *rejected),
        rejected_text=tuple(rejected),
        drafter="draft model" if accepted or rejected else "",
        verifier_text=own.text if own else "",
    )
