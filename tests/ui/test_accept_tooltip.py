"""In sampling mode the token tooltip explains the accept decision with p, q and min(1, p/q)."""

from __future__ import annotations

from desktop.engine.events import Piece, Source, StepEvent
from desktop.store.records import step_from_json, step_to_json
from desktop.ui.tooltips import step_tooltip
from tests.steps import text_step


def test_the_tooltip_gives_p_q_the_chance_and_what_was_drawn_instead() -> None:
    step = text_step(4, ("a",), "z", ("b",), verifier_probs=(0.6, 0.1, 0.3), draft_probs=(0.5, 0.4))
    text = step_tooltip(step, Source.VERIFIER)
    assert "<code>a</code>: verifier p 0.60, draft q 0.50, kept with chance 100%" in text
    assert "<code>b</code>: verifier p 0.10, draft q 0.40, kept with chance 25%" in text
    assert "drew <code>z</code> instead (p 0.30)" in text
    all_kept = text_step(4, ("a",), "z", verifier_probs=(0.6, 0.3), draft_probs=(0.5,))
    kept = step_tooltip(all_kept, Source.ACCEPTED)
    assert "All kept: the verifier then drew <code>z</code> (p 0.30)" in kept


def test_q_travels_from_the_engine_step_to_the_store() -> None:
    event = StepEvent(
        index=0,
        drafted=(1, 2),
        accepted=(1,),
        rejected=(2,),
        verifier=3,
        pieces=(Piece(1, "a", Source.ACCEPTED), Piece(3, "c", Source.VERIFIER)),
        verifier_probs=(0.6, 0.1, 0.3),
        draft_probs=(0.5, 0.4),
    )
    assert step_from_json(step_to_json(event)) == event
