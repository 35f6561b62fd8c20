"""`tandem --screenshot`: a PNG of a real reply and exit 0, or a message and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def tandem(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], capture_output=True, text=True, timeout=600, env=env
    )


def test_no_installed_pair_is_a_clear_failure(tmp_path: Path) -> None:
    r = tandem("--screenshot", str(tmp_path / "x.png"), "--prompt", "hi", data=tmp_path)
    assert r.returncode == 1
    assert "tandem models fetch" in r.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_screenshot_needs_a_prompt(tmp_path: Path) -> None:
    r = tandem("--screenshot", str(tmp_path / "x.png"), data=tmp_path)
    assert r.returncode == 2 and "--prompt" in r.stderr


@pytest.mark.slow
def test_a_screenshot_of_a_real_reply(tmp_path: Path, tiny_paths: tuple[Path, Path]) -> None:
    models = tiny_paths[0].parent
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(models)
    out = tmp_path / "chat.png"
    r = tandem("--screenshot", str(out), "--prompt", "Name a famous physicist.", "--pair", "tiny", data=data)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "event-loop stall" in r.stderr
    assert not (data / "conversations.sqlite3").exists()  # screenshots leave no history behind
