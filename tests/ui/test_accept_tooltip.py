"""In sampling mode the token tooltip explains the accept decision with p, q and min(1, p/q)."""

from __future__ import annotations

from desktop.engine.events import Piece, Source, StepEvent
from desktop.store.records import Step, Token, step_from_event
from desktop.ui.tooltips import step_tooltip


def test_the_tooltip_gives_p_q_the_chance_and_what_was_drawn_instead() -> None:
    step = Step(
        index=4,
        tokens=(Token("a", Source.ACCEPTED), Token("z", Source.VERIFIER)),
        drafted=("a", "b"),
        rejected=("b",),
        verifier="z",
        probs=(0.6, 0.1, 0.3),
        draft_probs=(0.5, 0.4),
    )
    text = step_tooltip(step, "verifier")
    assert "<code>a</code>: verifier p 0.60, draft q 0.50, kept with chance 100%" in text
    assert "<code>b</code>: verifier p 0.10, draft q 0.40, kept with chance 25%" in text
    assert "drew <code>z</code> instead (p 0.30)" in text
    kept = step_tooltip(Step(4, step.tokens, ("a",), (), "z", (0.6, 0.3), draft_probs=(0.5,)), "accepted")
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
    step = step_from_event(event, str)
    assert step.draft_probs == (0.5, 0.4)
    assert Step.from_json(step.to_json()) == step
