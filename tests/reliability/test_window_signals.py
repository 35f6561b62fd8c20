"""Ctrl-C and SIGTERM close the window as its close button does: the reply is saved as stopped.

Before: Ctrl-C printed a KeyboardInterrupt traceback and the window kept running; SIGTERM
killed it mid-write, leaving the reply "streaming" for the next start to mark.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from desktop.store.records import STOPPED
from tests.reliability.window_process import finish, replies, start, wait_for_line


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_mid_reply_saves_it_as_stopped_and_exits(
    tmp_path: Path, signum: signal.Signals, status: int
) -> None:
    data = tmp_path / "data"
    window = start("tests.reliability.fake_window", data)
    try:
        wait_for_line(window, "streaming")
        window.send_signal(signum)
        code, stderr = finish(window)
    finally:
        window.kill()
    assert code == status, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    [(reply_status, content, reason)] = replies(data)
    assert reply_status == STOPPED.value and reason == "cancelled"  # as stored
    assert content  # the steps that streamed before the signal are kept
