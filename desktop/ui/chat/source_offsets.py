"""Where in the raw reply each piece the Markdown parser produced comes from.

markdown-it gives every block token its line range (`token.map`) and every inline token its
source text (`token.content`). Each inline child's text is located in order inside its
parent's content, and each content line inside the raw line the map names, so the result is
the parser's own reading of the reply, not a guess from the rendered text. The offset of a
child's first character goes into `child.meta["at"]` (-1 when it has no raw counterpart);
code blocks get `token.meta["lines"]`, the raw offset of each code line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from markdown_it.token import Token

# Inline tokens whose content is raw text (a text_special's raw text is its markup: `\*`, `&amp;`).
_TEXT = frozenset({"text", "text_special", "code_inline", "softbreak", "hardbreak"})


def line_starts(text: str) -> list[int]:
    """The raw offset of each line's first character."""
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")
    return starts


def _line_end(text: str, starts: Sequence[int], line: int) -> int:
    return starts[line + 1] - 1 if line + 1 < len(starts) else len(text)


def annotate(tokens: Sequence[Token], text: str) -> None:
    """Record the raw offsets of every text-bearing token of `text`'s parse."""
    starts = line_starts(text)
    cursor = 0  # tokens come in document order, so a later one never starts before an earlier one
    for token in tokens:
        if token.map is None:
            continue
        if token.type == "inline":
            cursor = _annotate_inline(token, text, starts, cursor)
        elif token.type in ("fence", "code_block"):
            first = token.map[0] + (1 if token.type == "fence" else 0)
            token.meta["lines"] = _code_lines(token.content, text, starts, first)
            line = token.map[0]
            info = token.info.strip().split(" ")[0] if token.info else ""
            found = text.find(info, starts[line], _line_end(text, starts, line)) if info else -1
            token.meta["info_at"] = found


def _code_lines(content: str, text: str, starts: Sequence[int], first: int) -> list[int]:
    """Each code line is its raw line less the indentation the block (or its list) removed."""
    lines = content.split("\n")
    if content.endswith("\n"):
        lines.pop()
    out = []
    for k, line in enumerate(lines):
        n = first + k
        if n >= len(starts):
            out.append(-1)
            continue
        end = _line_end(text, starts, n)
        out.append(end - len(line) if text[starts[n] : end].endswith(line) else -1)
    return out


def _annotate_inline(token: Token, text: str, starts: Sequence[int], cursor: int) -> int:
    assert token.map is not None
    content = token.content
    line_offsets: list[int] = []  # content offset of each content line
    raw_offsets: list[int] = []  # raw offset of the same line, -1 when it was not found
    at = 0
    for k, line in enumerate(content.split("\n")):
        n = token.map[0] + k
        found = -1
        if n < len(starts):
            found = text.find(line, max(cursor, starts[n]), _line_end(text, starts, n))
        line_offsets.append(at)
        raw_offsets.append(found)
        if found >= 0:
            cursor = found + len(line)
        at += len(line) + 1

    def to_raw(i: int) -> int:
        k = bisect_right(line_offsets, i) - 1
        return -1 if i < 0 or raw_offsets[k] < 0 else raw_offsets[k] + i - line_offsets[k]

    p = 0
    for child in token.children or ():
        p = _locate_child(child, content, p)
        if child.type in _TEXT:
            child.meta["at"] = to_raw(child.meta.get("at_content", -1))
    return cursor


def _locate_child(child: Token, content: str, p: int) -> int:
    """Find one child in the inline content from `p`; returns where the next one may start."""
    kind = child.type
    i, length = -1, 0
    if kind == "text":
        i, length = content.find(child.content, p), len(child.content)
    elif kind == "text_special":
        i, length = content.find(child.markup, p), len(child.markup)
        if i >= 0 and child.markup.endswith(child.content):  # `\*` shows its `*`, not its backslash
            child.meta["at_content"] = i + length - len(child.content)
            return i + length
    elif kind in ("softbreak", "hardbreak"):
        i, length = content.find("\n", p), 1
    elif kind == "code_inline":
        tick = content.find(child.markup, p)
        i = content.find(child.content, tick + len(child.markup)) if tick >= 0 else -1
        length = len(child.content) + len(child.markup)
    elif kind == "image":
        start = content.find("![", p)
        middle = content.find("](", start) if start >= 0 else -1
        return _after_destination(content, middle) if middle >= 0 else p
    elif kind == "link_close" and content.startswith("](", p):
        return _after_destination(content, p)
    child.meta["at_content"] = i
    return i + length if i >= 0 else p


def _after_destination(content: str, p: int) -> int:
    """Skip `](destination "title")`, whose parentheses may nest."""
    depth, i = 0, p + 2
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    return i
