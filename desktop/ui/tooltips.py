"""What hovering over a token says about its step."""

from __future__ import annotations

import html
import time

from desktop.engine.events import Origin
from desktop.store.records import Step
from desktop.ui.formats import REJECTED


def _quote(text: str) -> str:
    shown = text.replace("\n", "↵").replace(" ", "·")
    return f"<code>{html.escape(shown) or '∅'}</code>"


DRAFTERS = {"draft model": "The draft model", "n-gram": "Prompt lookup (n-gram)", "suffix": "Suffix drafting"}


def ago(seconds: float) -> str:
    """A past moment as a person says it: "just now", "5 minutes ago", "3 days ago"."""
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400)):
        if seconds >= size:
            n = int(seconds // size)
            return "yesterday" if unit == "day" and n == 1 else f"{n} {unit}{'s' if n > 1 else ''} ago"
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


def origin_text(origin: Origin, now: float) -> str:
    """Where a history-drafted run came from: "from your reply in 'Refactor parser', 3 days ago"."""
    return f"from your reply in '{html.escape(origin.title)}', {ago(max(0.0, now - origin.when))}"


def step_tooltip(step: Step, source: str, now: float | None = None) -> str:
    """Rich text: the step number, what the draft proposed (and from which past reply), how
    much the verifier kept, what it produced instead, and its probabilities when sampling.
    """
    n_drafted = len(step.drafted)
    n_accepted = step.n_accepted
    what = {
        "accepted": "a draft token the verifier <b>accepted</b>",
        "verifier": "the <b>verifier</b>'s own token",
        REJECTED: "a draft token the verifier <b>rejected</b>",
    }.get(source, "")
    lines = [f"<b>Step {step.index + 1}</b> · {what}"]
    if n_drafted:
        proposed = " ".join(_quote(t) for t in step.drafted)
        who = DRAFTERS.get(step.drafter, "The draft")
        lines.append(f"{who} proposed {n_drafted}: {proposed}")
        if step.origin:
            lines.append(f"Drafted {origin_text(step.origin, time.time() if now is None else now)}")
        lines.append(f"Accepted {n_accepted} of {n_drafted}")
        if step.rejected:
            lines.append(f"Verifier produced {_quote(step.verifier)} instead of {_quote(step.rejected[0])}")
        else:
            lines.append(f"All accepted; the verifier added {_quote(step.verifier)}")
    else:
        lines.append(f"No draft this step; the verifier produced {_quote(step.verifier)}")
    if step.probs and step.draft_probs:
        lines += accept_decision(step)
    elif step.probs:
        shown = [f"{_quote(t)} {p:.2f}" for t, p in zip(step.drafted, step.probs[:-1], strict=False)]
        shown.append(f"{_quote(step.verifier)} {step.probs[-1]:.2f}")
        lines.append("Verifier probabilities: " + ", ".join(shown))
    if step.seconds:
        lines.append(f"<span style='color:gray'>{step.seconds * 1000:.0f} ms</span>")
    return "<br>".join(lines)


def accept_decision(step: Step) -> list[str]:
    """Why each drafted token was kept or not when sampling: the verifier's p and the draft's q
    of the token, its chance min(1, p/q) of being kept, and what was drawn in its place."""
    lines = []
    for text, p, q in zip(step.drafted, step.probs, step.draft_probs, strict=False):
        chance = min(1.0, p / q) if q > 0 else 0.0
        lines.append(f"{_quote(text)}: verifier p {p:.2f}, draft q {q:.2f}, kept with chance {chance:.0%}")
    verifier_p = step.probs[-1]
    if len(step.draft_probs) > step.n_accepted:  # the last one judged was rejected
        lines.append(
            f"Rejected: the verifier drew {_quote(step.verifier)} instead (p {verifier_p:.2f}), "
            "from where it gives more weight than the draft did, max(0, p − q)"
        )
    else:
        lines.append(f"All kept: the verifier then drew {_quote(step.verifier)} (p {verifier_p:.2f})")
    return lines
