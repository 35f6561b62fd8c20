"""One Tandem per data folder: a second launch raises the first window and exits 0.

Before: the second window opened the same database and marked the first one's streaming reply
as stopped (startup recovery), while it was still being written.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.store.records import STOPPED, STREAMING
from desktop.ui.app import ALREADY_RUNNING
from desktop.ui.instance import SingleInstance
from tests.reliability.window_process import env_for, finish, replies, start, tandem, wait_for_line

HOLD_LOCK = """
import sys
from PySide6.QtCore import QCoreApplication
from desktop.models.paths import data_dir
from desktop.ui.instance import SingleInstance
app = QCoreApplication([])
instance = SingleInstance(data_dir())
print("locked" if instance.acquire() else "refused", flush=True)
sys.stdin.read()
"""


def test_a_second_launch_leaves_the_first_reply_streaming(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start("tests.reliability.fake_window", data)
    try:
        wait_for_line(first, "streaming")
        second = tandem(data)
        assert second.returncode == 0, second.stderr
        assert ALREADY_RUNNING in second.stdout
        [(status, _, _)] = replies(data)
        assert status == STREAMING.value  # still the first window's, still being written
        first.send_signal(signal.SIGTERM)
        code, stderr = finish(first)
    finally:
        first.kill()
    assert code == 0, stderr
    assert replies(data)[0][0] == STOPPED.value


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path, qtbot: QtBot) -> None:
    data = tmp_path / "data"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK],
        env=env_for(data),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            wait_for_line(holder, "locked")  # type: ignore[arg-type]
            assert not SingleInstance(data).acquire()  # alive: refused
        finally:
            holder.kill()
            holder.wait(60)
    instance = SingleInstance(data)
    assert instance.acquire()
    instance.release()


def test_the_second_launch_asks_the_first_to_raise_its_window(tmp_path: Path, qtbot: QtBot) -> None:
    first, second = SingleInstance(tmp_path), SingleInstance(tmp_path)
    try:
        assert first.acquire()
        assert not second.acquire()
        with qtbot.waitSignal(first.raise_requested, timeout=5000):
            assert second.notify_running()
    finally:
        first.release()
