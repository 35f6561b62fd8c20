"""Markdown to Qt rich text (markdown-it-py, Pygments), and the map back to the raw reply.

Qt's rich text has no notion of where rendered characters came from, so `align` matches the
rendered text to the raw reply character by character; the chat view colours the rendered
text by the step and source of the raw character each one came from.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

from desktop.ui.theme import Theme


@dataclass(frozen=True, slots=True)
class Rendered:
    """HTML for a reply, and the text of each fenced code block (for its Copy link)."""

    html: str
    code_blocks: tuple[str, ...]


def _code_html(code: str, language: str, theme: Theme) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else guess_lexer(code)
    except ClassNotFound:
        lexer = None
    if lexer is None or (not language and lexer.name == "Text only"):
        return html.escape(code)
    formatter = HtmlFormatter(nowrap=True, noclasses=True, style=theme.pygments_style)
    out = str(highlight(code, lexer, formatter))
    return out[:-1] if out.endswith("\n") and not code.endswith("\n\n") else out


def render(text: str, theme: Theme, message_id: int) -> Rendered:
    """Render a finished reply; each code block gets a "Copy code" link above it."""
    blocks: list[str] = []
    md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")

    def fence(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        code = token.content[:-1] if token.content.endswith("\n") else token.content
        language = token.info.strip().split(" ")[0] if token.info else ""
        blocks.append(code)
        n = len(blocks) - 1
        label = html.escape(language) + " · " if language else ""
        # All of the label is a link, so the highlighter skips it (it is not the model's text).
        return (
            f'<p style="margin-top:8px; margin-bottom:0px">'
            f'<a href="copy:code:{message_id}:{n}">{label}Copy code</a></p>'
            f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{theme.code_bg}" '
            f'style="margin-top:2px; margin-bottom:8px; border: 1px solid {theme.border}">'
            f"<tr><td><pre>{_code_html(code, language, theme)}</pre></td></tr></table>"
        )

    def table_open(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return (
            f'<table border="1" cellspacing="0" cellpadding="5" '
            f'style="border-collapse: collapse; border-color: {theme.border}; margin: 6px 0px">'
        )

    def code_inline(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        content = html.escape(tokens[idx].content)
        return f'<code style="background-color:{theme.code_bg}">{content}</code>'

    def image(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        # A reply never loads anything: an image becomes a link the user may choose to open.
        src = html.escape(str(tokens[idx].attrGet("src") or ""), quote=True)
        alt = html.escape(tokens[idx].content or "image")
        return f'<a href="{src}">[image: {alt}]</a>'

    md.add_render_rule("image", image)
    md.add_render_rule("fence", fence)
    md.add_render_rule("code_block", fence)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("code_inline", code_inline)
    return Rendered(md.render(text), tuple(blocks))


def _same(a: str, b: str) -> bool:
    return a == b or (a.isspace() and b.isspace())


def _run_matches(rendered: Sequence[str], i: int, raw: str, j: int, length: int) -> bool:
    return j + length <= len(raw) and all(_same(rendered[i + k], raw[j + k]) for k in range(length))


def align(rendered: Sequence[str], raw: str, window: int = 40, near: int = 4) -> list[int]:
    """For each rendered character, the index of the raw character it shows, or -1.

    Greedy and monotonic: Markdown mostly removes syntax, so the rendered text is nearly a
    subsequence of the raw text. A character is matched where the next few rendered
    characters match too (within `window`), or else to an equal character within `near`;
    otherwise it maps to -1 and the raw position does not move, so nothing runs ahead.
    """
    out: list[int] = []
    r = 0
    n = len(raw)
    for i, c in enumerate(rendered):
        length = min(4, len(rendered) - i)
        found = next(
            (j for j in range(r, min(n, r + window)) if _run_matches(rendered, i, raw, j, length)), -1
        )
        if found < 0:
            found = next((j for j in range(r, min(n, r + near)) if _same(c, raw[j])), -1)
        out.append(found)
        if found >= 0:
            r = found + 1
    return out
