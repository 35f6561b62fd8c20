"""Which parts of a rendered chat prompt are the template's markup and which are message text.

Text a user types must stay text even when it spells a control token (``<|im_end|>`` then
``<|im_start|>system``), so only the markup may be tokenized with special tokens parsed. The
template is rendered with each message replaced by a unique sentinel; the sentinels mark where
the messages go. Templates that transform a message (trim it, cut a thinking block) are handled
by rendering once more per message to read back what the template made of it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Render = Callable[[Sequence[str]], str]
"""Renders the conversation with these message contents, in order."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the rendered prompt; `markup` is True for the template's own text."""

    text: str
    markup: bool


def _sentinels(contents: Sequence[str]) -> list[str]:
    while True:
        nonce = secrets.token_hex(6)
        if not any(nonce in c for c in contents):
            return [f"\ue000{nonce}:{i}\ue001" for i in range(len(contents))]


def segments(render: Render, contents: Sequence[str]) -> list[Segment]:
    """The prompt for `contents` as markup and message segments, concatenating to the render."""
    real = render(contents)
    marks = _sentinels(contents)
    skeleton = render(marks)
    pattern = re.compile("|".join(re.escape(m) for m in marks)) if marks else None
    pieces = pattern.split(skeleton) if pattern else [skeleton]
    order = [marks.index(m) for m in pattern.findall(skeleton)] if pattern else []

    def assemble(texts: Sequence[str]) -> list[Segment]:
        out = [Segment(pieces[0], True)]
        for k, i in enumerate(order):
            out += [Segment(texts[i], False), Segment(pieces[k + 1], True)]
        return [s for s in out if s.text]

    plain = assemble(contents)
    if "".join(s.text for s in plain) == real:
        return plain
    transformed = [_as_rendered(render, marks, contents, i, skeleton) for i in range(len(contents))]
    exact = assemble(transformed)
    # If even that does not reproduce the template, keep the messages as typed: safe, if not exact.
    return exact if "".join(s.text for s in exact) == real else plain


def _as_rendered(render: Render, marks: Sequence[str], contents: Sequence[str], i: int, skeleton: str) -> str:
    """What the template writes for message `i`, read between the markup around its sentinel."""
    if skeleton.count(marks[i]) != 1:
        return contents[i]
    before, after = skeleton.split(marks[i])
    alone = render([contents[j] if j == i else m for j, m in enumerate(marks)])
    if len(alone) >= len(before) + len(after) and alone.startswith(before) and alone.endswith(after):
        return alone[len(before) : len(alone) - len(after)]
    return contents[i]
