"""Tandem's window in a subprocess, offscreen, with its data in a test folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 60  # a cold Qt start on a busy machine; a deadline, never a measured time


def env_for(data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TANDEM_DATA_DIR": str(data),
        "TANDEM_CACHE_DIR": str(data.parent / "cache"),
        "HOME": str(data.parent / "home"),
        "QT_QPA_PLATFORM": "offscreen",
        "TANDEM_THEME": "light",
        "PYTHONPATH": str(ROOT),
    }


def start(module: str, data: Path, *args: str) -> subprocess.Popen[str]:
    """`python -m module args` in the background, stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env_for(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def tandem(data: Path, *args: str, timeout: float = STARTUP_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        env=env_for(data),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_line(process: subprocess.Popen[str], line: str) -> None:
    """Read stdout until `line`; fails with the process's stderr if it ends first."""
    assert process.stdout is not None
    for got in process.stdout:
        if got.strip() == line:
            return
    process.wait(STARTUP_S)
    stderr = process.stderr.read() if process.stderr else ""
    raise AssertionError(f"exited {process.returncode} before printing {line!r}:\n{stderr}")


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Poll `condition` until it holds; fails if the process ends or the deadline passes first."""
    deadline = time.monotonic() + STARTUP_S
    while not condition():
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"exited {process.returncode}:\n{stderr}")
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for the process to end; its exit status and stderr."""
    _, stderr = process.communicate(timeout=STARTUP_S)
    return process.returncode, stderr


def replies(data: Path) -> list[tuple[str, str, str | None]]:
    """(status, content, finish_reason) of every stored reply, read without writing."""
    db = sqlite3.connect(f"file:{data / 'conversations.sqlite3'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT status, content, finish_reason FROM messages WHERE role = 'assistant' ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    return [(str(s), str(c), f) for s, c, f in rows]
