"""Character formats of the chat view; each token's format also carries which step it is.

The view's format layer: a token's `Source` is kept in its format as a string and read back
as a `Source` here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextFormat

from desktop.engine.drafters import NGRAM_DRAFTER
from desktop.engine.events import Source
from desktop.ui.theme import Theme

MESSAGE_ID = QTextFormat.Property.UserProperty + 1
STEP = QTextFormat.Property.UserProperty + 2
SOURCE = QTextFormat.Property.UserProperty + 3


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What the chat view shows."""

    highlight: bool = True
    show_rejected: bool = False


def token_format(
    theme: Theme, options: ViewOptions, message_id: int, step: int, source: Source, drafter: str = ""
) -> QTextCharFormat:
    """The format of text from one step and source (accepted, verifier, or rejected draft text);
    accepted tokens that prompt lookup (not the draft model) proposed get a dotted underline.
    """
    fmt = QTextCharFormat()
    fmt.setProperty(MESSAGE_ID, message_id)
    fmt.setProperty(STEP, step)
    fmt.setProperty(SOURCE, source.value)
    if source is Source.REJECTED:
        fmt.setFontStrikeOut(True)
        fmt.setForeground(QColor(theme.rejected))
        return fmt
    if options.highlight:
        accepted = source is Source.ACCEPTED
        pair = theme.accepted if accepted else theme.verifier
        fmt.setBackground(QColor(pair[step % 2]))
        if accepted and drafter == NGRAM_DRAFTER:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(QColor(theme.muted))
    return fmt


def source_of(fmt: QTextCharFormat) -> Source | None:
    """The source `token_format` gave a character; None for text that is not a token's."""
    value = fmt.property(SOURCE)
    return Source(value) if isinstance(value, str) and fmt.hasProperty(SOURCE) else None


def rejected_text(pieces: Sequence[str]) -> str:
    """Rejected draft text as shown: a line break becomes a struck-through ↵ and a tab a →,
    so text the verifier threw away never breaks the reply's paragraphs or code blocks."""
    return "".join(pieces).replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", "→")


def plain_format(theme: Theme) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(theme.text))
    return fmt


def header_format(theme: Theme, bold: bool = True) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(theme.text if bold else theme.muted))
    fmt.setFontWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
    return fmt


def link_format(theme: Theme, href: str) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setAnchor(True)
    fmt.setAnchorHref(href)
    fmt.setForeground(QColor(theme.accent))
    return fmt
