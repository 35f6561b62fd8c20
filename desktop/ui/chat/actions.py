"""A message's header line: who wrote it, its status, its variants (‹ 1/2 ›) and its actions.

Actions are anchors `action:<name>:<message id>` the chat view turns into `action_requested`;
Copy is a real button over the message (see `desktop.ui.chat.code_blocks`).
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from desktop.engine.events import FinishReason
from desktop.store.records import STOPPED, STREAMING, ChatMessage
from desktop.ui.formats import header_format, link_format, plain_format
from desktop.ui.theme import Theme

PREVIOUS, NEXT, EDIT, DELETE = "previous", "next", "edit", "delete"


def href(action: str, message_id: int) -> str:
    return f"action:{action}:{message_id}"


def parse(url: str) -> tuple[str, int] | None:
    """(action, message id) of an action anchor, or None for any other link."""
    parts = url.split(":")
    if len(parts) != 3 or parts[0] != "action" or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


def write_header(cursor: QTextCursor, message: ChatMessage, theme: Theme) -> None:
    """The header at `cursor`; its anchors act on `message`."""
    user = message.role == "user"
    cursor.insertText("You" if user else "Assistant", header_format(theme))
    meta = [] if user else [m for m in (message.pair, status_text(message)) if m]
    if meta:
        cursor.insertText("  " + " · ".join(meta), header_format(theme, bold=False))
    gap = plain_format(theme)
    if len(message.variants) > 1:
        cursor.insertText("   ", gap)
        cursor.insertText(" ‹ ", link_format(theme, href(PREVIOUS, message.id)))
        shown = f"{message.variant_index + 1}/{len(message.variants)}"
        cursor.insertText(shown, header_format(theme, bold=False))
        cursor.insertText(" › ", link_format(theme, href(NEXT, message.id)))
    if message.status == STREAMING:
        return
    for action in (EDIT, DELETE) if user else (DELETE,):
        cursor.insertText("   ", gap)
        cursor.insertText(action.capitalize(), link_format(theme, href(action, message.id)))


def status_text(message: ChatMessage) -> str:
    if message.status == STREAMING:
        return "writing…"
    if message.status == STOPPED:
        return "stopped" if message.finish_reason is not FinishReason.ERROR else "stopped by an error"
    if message.finish_reason is FinishReason.LENGTH:
        return "reached the token limit: Continue writes more"
    if message.finish_reason is FinishReason.CONTEXT:
        return "context full"
    return ""
