"""Markdown to Qt rich text (markdown-it-py, Pygments), one top-level block at a time.

Every piece of the reply's own text is wrapped in `<span title="N">`, N being the raw offset
of its first character (from `desktop.ui.chat.source_offsets`). Qt keeps a span's title as
the character's tooltip, so after insertion the view reads back which raw character each
rendered one shows, and colours it by the token that wrote that character.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.styles import get_style_by_name
from pygments.token import Text, _TokenType
from pygments.util import ClassNotFound

from desktop.ui.chat.source_offsets import annotate, line_starts
from desktop.ui.theme import Theme


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level Markdown block: where it starts in the raw reply, its HTML, its code."""

    start: int
    html: str
    code_blocks: tuple[str, ...]


def span(at: int, text: str, style: str = "") -> str:
    """Escaped `text` carrying the raw offset of its first character (-1: none)."""
    body = html.escape(text, quote=False)
    attrs = (f' title="{at}"' if at >= 0 else "") + (f' style="{style}"' if style else "")
    return f"<span{attrs}>{body}</span>" if attrs else body


def _lexer(code: str, language: str) -> Lexer | None:
    options = {"stripnl": False, "ensurenl": False}
    try:
        lexer = get_lexer_by_name(language, **options) if language else guess_lexer(code, **options)
    except ClassNotFound:
        return None
    return None if not language and lexer.name == "Text only" else lexer


@lru_cache(maxsize=512)
def _css(style_name: str, kind: _TokenType) -> str:
    """The CSS of a token kind in a Pygments style (a kind the style lacks takes its parent's)."""
    style = get_style_by_name(style_name)
    while not style.styles_token(kind) and kind.parent is not None:
        kind = kind.parent
    s = style.style_for_token(kind)
    parts = (
        f"color:#{s['color']}" if s["color"] else "",
        "font-weight:bold" if s["bold"] else "",
        "font-style:italic" if s["italic"] else "",
    )
    return ";".join(p for p in parts if p)


@lru_cache(maxsize=32)  # a redraw (theme, options, the next streamed step) lexes nothing twice
def _pieces(code: str, language: str) -> tuple[tuple[_TokenType, str], ...]:
    lexer = _lexer(code, language)
    pieces = tuple(lexer.get_tokens(code)) if lexer else ((Text, code),)
    if "".join(v for _, v in pieces) != code:  # a lexer that rewrites text would lose offsets
        return ((Text, code),)
    return pieces


def _code_html(code: str, language: str, lines: Sequence[int], base: int, theme: Theme) -> str:
    """Highlighted code whose every run carries the raw offset of its first character."""
    pieces = _pieces(code, language)
    out: list[str] = []
    line = col = 0
    for kind, value in pieces:
        css = _css(theme.pygments_style, kind)
        for k, part in enumerate(value.split("\n")):
            if k:
                out.append("\n")
                line, col = line + 1, 0
            if part:
                start = lines[line] if line < len(lines) else -1
                out.append(span(base + start + col if start >= 0 else -1, part, css))
                col += len(part)
    return "".join(out)


@lru_cache(maxsize=4)
def _parser(theme: Theme) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    md.disable("text_join")  # keep escapes and entities apart: their raw text is not their text

    def at(token: Token, env: dict[str, int]) -> int:
        offset = int(token.meta.get("at", -1))
        return env["base"] + offset if offset >= 0 else -1

    # Qt would fold runs of spaces, and a rendered character would no longer be at its offset.
    keep = "white-space:pre-wrap"

    def text(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return span(at(tokens[idx], env), tokens[idx].content, keep)

    def code_inline(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        content = span(at(tokens[idx], env), tokens[idx].content, keep)
        return f'<code style="background-color:{theme.code_bg}">{content}</code>'

    def fence(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        code = token.content[:-1] if token.content.endswith("\n") else token.content
        language = token.info.strip().split(" ")[0] if token.info else ""
        env["codes"].append(code)
        info_at = int(token.meta.get("info_at", -1))
        label = span(env["base"] + info_at if info_at >= 0 else -1, language) if language else "&nbsp;"
        body = _code_html(code, language, token.meta.get("lines", []), env["base"], theme)
        # The label line leaves room for the block's Copy button, drawn over its right end.
        return (
            f'<p style="margin-top:8px; margin-bottom:0px; color:{theme.muted}">{label}</p>'
            f'<table width="100%" cellpadding="8" cellspacing="0" bgcolor="{theme.code_bg}" '
            f'style="margin-top:2px; margin-bottom:8px; border: 1px solid {theme.border}">'
            f"<tr><td><pre>{body}</pre></td></tr></table>"
        )

    def table_open(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return (
            f'<table border="1" cellspacing="0" cellpadding="5" '
            f'style="border-collapse: collapse; border-color: {theme.border}; margin: 6px 0px">'
        )

    def image(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        # A reply never loads anything: an image becomes a link the user may choose to open.
        src = html.escape(str(tokens[idx].attrGet("src") or ""), quote=True)
        alt = html.escape(tokens[idx].content or "image")
        return f'<a href="{src}">[image: {alt}]</a>'

    for name, rule in {
        "text": text,
        "text_special": text,
        "code_inline": code_inline,
        "fence": fence,
        "code_block": fence,
        "table_open": table_open,
        "image": image,
    }.items():
        md.add_render_rule(name, rule)
    return md


def _top_level(tokens: Sequence[Token]) -> Iterator[list[Token]]:
    """The tokens of each top-level block, in order."""
    i = 0
    while i < len(tokens):
        j = i
        if tokens[i].nesting == 1:
            j = next(k for k in range(i + 1, len(tokens)) if tokens[k].level == 0 and tokens[k].nesting == -1)
        yield list(tokens[i : j + 1])
        i = j + 1


def render_blocks(text: str, theme: Theme, base: int = 0) -> list[Block]:
    """Render `text` block by block; `base` is its raw offset within the whole reply."""
    md = _parser(theme)
    tokens = md.parse(text)
    annotate(tokens, text)
    starts = line_starts(text)
    blocks = []
    for group in _top_level(tokens):
        env: dict = {"base": base, "codes": []}  # type: ignore[type-arg]
        out = md.renderer.render(group, md.options, env)
        line = group[0].map[0] if group[0].map else 0
        blocks.append(Block(base + starts[line], out, tuple(env["codes"])))
    return blocks


def render_html(text: str, theme: Theme) -> str:
    """The whole reply as one HTML string (what the blocks say, joined)."""
    return "".join(b.html for b in render_blocks(text, theme))
