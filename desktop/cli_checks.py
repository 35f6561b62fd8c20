"""Checks on `tandem` arguments that run before any model loads, each failing with one clear line."""

from __future__ import annotations

import argparse
import errno
import math
import os
from collections.abc import Callable
from pathlib import Path

from desktop.engine.errors import TandemError
from desktop.engine.text_input import clean_user_text

MAX_TEMPERATURE = 5.0  # past this every token is near-uniform noise; the window stops at 2
MAX_SEED = 2**32 - 1  # numpy's generator takes 0..2**32-1 as a plain seed
MAX_CTX = 2**20  # llama.cpp keeps n_ctx in 32 bits; no released model reads past a million tokens
_OPTION_NAMES = {"window_prompt": "--prompt", "window_pair": "--pair"}


class UsageError(TandemError):
    """Bad command-line input."""


def _number(kind: type[int] | type[float], text: str) -> int | float:
    try:
        value = kind(text)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def _show(limit: float) -> str:
    return f"{int(limit):,}" if limit == int(limit) else str(limit)


def bounded(
    kind: type[int] | type[float], low: float, high: float | None = None
) -> Callable[[str], int | float]:
    """An argparse type: a finite `kind` from `low` to `high` (inclusive; no `high`: no limit)."""

    def parse(text: str) -> int | float:
        value = _number(kind, text)
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"{text} must be at least {_show(low)}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is not between {_show(low)} and {_show(high)}")
        return value

    return parse


def threads(text: str) -> int:
    """An argparse type: from 1 to the machine's logical CPUs (more only slows llama.cpp down)."""
    value = int(bounded(int, 1)(text))
    cpus = os.cpu_count() or 1
    if value > cpus:
        raise argparse.ArgumentTypeError(f"{value} is more than the {cpus} logical CPUs of this machine")
    return value


def stop_string(text: str) -> str:
    """An argparse type: a non-empty stop string (an empty one would end every reply at once)."""
    if not text:
        raise argparse.ArgumentTypeError("a stop string must not be empty")
    return text


def check_text(args: argparse.Namespace) -> None:
    """Every text argument must be valid UTF-8 (Python keeps undecodable argv bytes as lone surrogates)."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                option = _OPTION_NAMES.get(name, "--" + name.replace("_", "-"))
                clean_user_text(text, option)


def check_screenshot(path: str, prompt: str | None) -> None:
    """`--screenshot` needs a prompt with words in it and a PNG path it can write (checked before loading)."""
    if prompt is None:
        raise UsageError("--screenshot needs --prompt")
    if not prompt.strip():
        raise UsageError("--prompt is empty; give the message to send")
    check_writable(Path(path), "--screenshot")


def check_writable(path: Path, option: str) -> None:
    """Raise UsageError unless a file can be created (or appended to) at `path`; leaves no file behind."""
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name such as {path / 'tandem.png'}")
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{option}: {folder} {what}; choose a file in an existing folder")
    existed = path.exists()
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))  # never truncates
    except OSError as e:
        raise UsageError(f"{option}: cannot write {path} ({e.strerror}); choose another place") from None
    if not existed:
        path.unlink(missing_ok=True)


def folder_failure(e: OSError) -> str:
    """One line for a folder `tandem models fetch` cannot write (read-only, not a folder, disk full)."""
    where = Path(e.filename) if e.filename else None
    problem = f"cannot write {where or 'the models folder'} ({e.strerror})"
    if where is not None and e.errno == errno.ENOTDIR:
        blocker = next((p for p in (where, *where.parents) if p.exists() and not p.is_dir()), where)
        problem = f"cannot make the folder {where}: {blocker} is a file, not a folder"
    return (
        f"{problem}; point TANDEM_DATA_DIR (models) or TANDEM_CACHE_DIR (downloads) at a folder you can write"
    )
