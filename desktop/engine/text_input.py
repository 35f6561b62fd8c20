"""Checking text a user typed, pasted or passed on the command line before it reaches a model.

Python strings can hold characters no model can take: lone UTF-16 surrogates (half an emoji
pasted from a broken source, or undecodable argv bytes that Python keeps as U+DC80..U+DCFF)
fail later in ``str.encode("utf-8")`` with a traceback, and NUL ends the text early in C.
"""

from __future__ import annotations

from desktop.engine.errors import TandemError

_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # how Python's surrogateescape keeps a byte it cannot decode


class InvalidTextError(TandemError):
    """Text holds a character that cannot be encoded as UTF-8 or passed to llama.cpp."""


def clean_user_text(text: str, what: str = "the message") -> str:
    """Return `text` unchanged, or raise InvalidTextError naming `what` and the first bad character.

    `what` is how the user knows the text: "the message" in the window, "--prompt" on the command line.
    """
    if "\0" not in text and _encodes(text):
        return text  # the common case, checked in C
    for i, ch in enumerate(text, start=1):
        cp = ord(ch)
        if cp == 0:
            raise InvalidTextError(f"{what} contains a NUL character (at character {i}); remove it")
        if 0xD800 <= cp <= 0xDFFF:
            if cp in _ESCAPED_BYTES:
                raise InvalidTextError(
                    f"{what} is not valid UTF-8 (byte 0x{cp - 0xDC00:02x} at character {i}); pass UTF-8 text"
                )
            raise InvalidTextError(
                f"{what} contains a broken character (a lone surrogate U+{cp:04X} at character {i}); "
                "type or paste it again"
            )
    return text


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
